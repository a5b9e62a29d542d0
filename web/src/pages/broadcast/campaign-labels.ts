import type { OptPolicy, SpeakerRole } from '../../../../protocol/api/broadcast-schedule.ts';
import type { EntryMode } from '../../../../protocol/broadcast/layers.ts';

/** How an announcement enters over the music (protocol/broadcast/layers.ts ENTRY_MODES), in the console's words. */
export const ENTRY_LABELS: Record<EntryMode, string> = {
  between_tracks: 'Between tracks',
  interrupt: 'Interrupt',
  overlay: 'Overlay (music ducked 12 dB)',
};

/** HQ's opt policy for a campaign (protocol/api/broadcast-schedule.ts OPT_POLICIES). */
export const OPT_LABELS: Record<OptPolicy, string> = {
  mandatory: 'Mandatory in every store',
  opt_out: 'On, stores may opt out',
  opt_in: 'Off, stores may opt in',
};

export const ROLE_LABELS: Record<SpeakerRole, string> = { broadcast: 'Broadcast boxes', promo: 'Promo speakers' };
