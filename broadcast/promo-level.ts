import type { PresencePromo } from '../protocol/broadcast/manifest.ts';

/**
 * How far speech must stand above the background to be understood: about 10 dB (ISO 9921's "good" intelligibility
 * starts there, and PA practice aims at 10–15 dB). A promo in a noisy aisle is raised to this margin over the noise,
 * never above the campaign's `maxSplDb`.
 */
export const SPEECH_OVER_NOISE_DB = 10;

/**
 * A speaker's calibration from its digital level to sound pressure where shoppers stand: the dB SPL it produces there
 * (measured once with a sound level meter, at the shelf's usual listening distance) playing programme at the content
 * library's loudness target (−16 LUFS) with its volume at 100. Content is normalised, so this one number maps every
 * asset: its level at volume v is that minus the volume curve's attenuation.
 */
export interface SpeakerCalibration {
  splAtFullVolumeDb: number;
}

/** The volume curve's attenuation in dB (the player's cube law: 60·log10(v/100)), and its inverse. */
export function volumeGainDb(volume: number): number {
  return volume <= 0 ? Number.NEGATIVE_INFINITY : 60 * Math.log10(volume / 100);
}
export function volumeForGainDb(gainDb: number): number {
  return 100 * 10 ** (Math.min(0, gainDb) / 60);
}

/**
 * The level a presence promo plays at: the campaign's target SPL (the seed's 60 dB), raised to
 * {@link SPEECH_OVER_NOISE_DB} over the measured ambient noise where the speaker has a microphone, capped at the
 * campaign's maximum; and the volume that gives it through this speaker's calibration. A target the speaker cannot
 * reach is played at full volume and reported at what it really gives.
 */
export function promoLevel(
  promo: Pick<PresencePromo, 'targetSplDb' | 'maxSplDb'>,
  calibration: SpeakerCalibration,
  ambientDbSpl: number | null,
): { levelDbSpl: number; volume: number } {
  const wanted =
    ambientDbSpl === null
      ? promo.targetSplDb
      : Math.min(promo.maxSplDb, Math.max(promo.targetSplDb, ambientDbSpl + SPEECH_OVER_NOISE_DB));
  const volume = volumeForGainDb(wanted - calibration.splAtFullVolumeDb);
  const levelDbSpl = calibration.splAtFullVolumeDb + volumeGainDb(volume);
  return { levelDbSpl: Math.round(levelDbSpl * 10) / 10, volume };
}
