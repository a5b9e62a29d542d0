import { randomUUID } from 'node:crypto';
import type { BroadcastLayer, PlayOutcome, PlayTrigger } from '../../../protocol/broadcast/layers.ts';
import type { PlayRecord } from '../../../protocol/broadcast/proof-of-play.ts';

/** What the scheduler knows about a play before it starts: everything a PlayRecord says but the times and outcome. */
export interface PlayIntent {
  sha256: string;
  title: string;
  layer: BroadcastLayer;
  trigger: PlayTrigger;
  campaignId: string | null;
  itemId: string | null;
  /** When it was meant to start; null for what the speaker triggered itself (presence). */
  scheduledAt: number | null;
}

/** What the speaker is playing, for its shadow and the console. `trackId` is the asset's sha256. */
export interface NowPlaying {
  trackId: string;
  title: string;
  startedAt: number;
  layer: BroadcastLayer | null;
  campaignId: string | null;
}

export function nowPlayingOf(intent: PlayIntent, startedAt: number): NowPlaying {
  return {
    trackId: intent.sha256,
    title: intent.title,
    startedAt: Math.round(startedAt),
    layer: intent.layer,
    campaignId: intent.campaignId,
  };
}

export function playRecord(
  intent: PlayIntent,
  times: { startedAt: number; endedAt: number },
  outcome: PlayOutcome,
  volume: number,
  manifestVersion: number | null,
  levelDbSpl: number | null = null,
): PlayRecord {
  return {
    playId: randomUUID(),
    sha256: intent.sha256,
    campaignId: intent.campaignId,
    itemId: intent.itemId,
    layer: intent.layer,
    trigger: intent.trigger,
    scheduledAt: intent.scheduledAt === null ? null : Math.round(intent.scheduledAt),
    startedAt: Math.round(times.startedAt),
    endedAt: Math.round(Math.max(times.endedAt, times.startedAt)),
    outcome,
    volume: Math.max(0, Math.min(100, Math.round(volume))),
    levelDbSpl,
    manifestVersion,
  };
}
