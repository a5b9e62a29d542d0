/**
 * Priority layers, lowest first: a higher layer wins a moment both want. Ambient music is the floor everything else
 * enters over; an emergency beats everything and repeats until cleared.
 */
export const BROADCAST_LAYERS = ['ambient', 'hq_campaign', 'store_campaign', 'holiday', 'adhoc', 'emergency'] as const;
export type BroadcastLayer = (typeof BROADCAST_LAYERS)[number];

/** How much a layer outranks another: compare ranks, never names. */
export function layerRank(layer: BroadcastLayer): number {
  return BROADCAST_LAYERS.indexOf(layer);
}

/**
 * How an item enters over what is playing (Liquidsoap's vocabulary):
 * - `between_tracks`: waits for the current music track to end (music only; a voice item is never cut);
 * - `interrupt`: cuts in at its time, the music resumes where it stopped (or the next track) afterwards;
 * - `overlay`: plays over the music, which is ducked ({@link DUCKING}) for the item's length.
 */
export const ENTRY_MODES = ['between_tracks', 'interrupt', 'overlay'] as const;
export type EntryMode = (typeof ENTRY_MODES)[number];

/** Ducking for `overlay` (Liquidsoap's smooth_add: about 12 dB under the voice, half-second ramps). */
export const DUCKING = { depthDb: 12, rampMs: 500 } as const;

/** What started a play (proof of play): the compiled schedule, a presence sensor, a cart in the zone, a person. */
export const PLAY_TRIGGERS = ['schedule', 'pir', 'cart', 'adhoc', 'emergency'] as const;
export type PlayTrigger = (typeof PLAY_TRIGGERS)[number];

/** How a play ended. `skipped`: its time came while the speaker could not play it (asset missing, quiet hours). */
export const PLAY_OUTCOMES = ['completed', 'interrupted', 'skipped'] as const;
export type PlayOutcome = (typeof PLAY_OUTCOMES)[number];

/** What an asset is for; decides defaults (music loops in playlists, speech is announced). */
export const ASSET_KINDS = ['music', 'speech', 'jingle'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];
