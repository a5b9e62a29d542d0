import type { EntryMode } from '../../../../protocol/broadcast/layers.ts';

/** How an announcement enters over the music (protocol/broadcast/layers.ts ENTRY_MODES), in the console's words. */
export const ENTRY_LABELS: Record<EntryMode, string> = {
  between_tracks: 'Between tracks',
  interrupt: 'Interrupt',
  overlay: 'Overlay (music ducked 12 dB)',
};
