/**
 * The volume curve: a 0-100 volume to an amplitude factor by its cube, as PulseAudio maps its volume slider
 * (`pa_sw_volume_from_linear`): perceived loudness follows roughly the cube root of amplitude (Stevens' power law),
 * so equal steps of the slider sound like equal steps. 100 → 0 dB, 60 → −13.3 dB, 50 → −18.1 dB, 10 → −60 dB, 0 → silent.
 */
export function gainFromVolume(volume: number): number {
  const v = Math.max(0, Math.min(100, volume)) / 100;
  return v * v * v;
}

/**
 * The soft clip guard on the mixed output: transparent up to {@link CLIP_KNEE} (−0.9 dBFS), then a tanh knee that
 * approaches full scale without reaching it. Normalised assets (−16 LUFS, −1.5 dBTP) never get there alone; music
 * plus a voice on top can, and a hard clip at the 16-bit limit would crackle.
 */
export const CLIP_KNEE = 0.9;

export function softClip(x: number): number {
  const a = Math.abs(x);
  if (a <= CLIP_KNEE) return x;
  const headroom = 1 - CLIP_KNEE;
  const y = CLIP_KNEE + headroom * Math.tanh((a - CLIP_KNEE) / headroom);
  return x < 0 ? -y : y;
}
