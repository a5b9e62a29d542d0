import type { DroppedEntry } from '../../protocol/api/broadcast-schedule.ts';
import type { BroadcastLayer, EntryMode } from '../../protocol/broadcast/layers.ts';
import type { ScheduledItem, VolumeSpan } from '../../protocol/broadcast/manifest.ts';

/** An announcement wanting its moment: one occurrence of a campaign, with its rotated asset. */
export interface ItemCandidate {
  campaignId: string;
  layer: BroadcastLayer;
  rank: number;
  priority: number;
  at: number;
  sha256: string;
  durationMs: number;
  entry: EntryMode;
  maxDelayMs: number;
  maxPerHour: number | null;
  minGapMs: number | null;
}

/** The store's local clock hours: caps count plays per local hour (zones off by :30 or :45 included). */
export interface LocalHours {
  /** A number naming the local hour `instant` is in. */
  hourOf(instant: number): number;
  /** The instant the next local hour starts. */
  nextHourStart(instant: number): number;
}

interface Placed {
  start: number;
  end: number;
  candidate: ItemCandidate;
}

const MINUTE_MS = 60_000;

/**
 * Places announcements one at a time in a fixed order — layer rank (highest first), then campaign priority, then
 * occurrence time, then campaign id — so a higher layer always has its moment and the result never depends on the
 * input's order. Each takes the earliest start from its occurrence on, within its `maxDelayMs`, that is audible
 * (inside a volume span), keeps the global minimum gap to every item already placed, its campaign's own minimum gap
 * (start to start) and its campaign's plays in that local clock hour under the cap. What cannot start in time is
 * dropped, with the last reason that pushed it.
 */
export function placeItems(
  candidates: ItemCandidate[],
  volume: readonly VolumeSpan[],
  globalGapMs: number,
  hours: LocalHours,
): { items: ScheduledItem[]; dropped: DroppedEntry[] } {
  const order = [...candidates].sort(
    (a, b) =>
      b.rank - a.rank ||
      b.priority - a.priority ||
      a.at - b.at ||
      (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0),
  );
  const placed: Placed[] = [];
  const byCampaign = new Map<string, number[]>();
  const perHour = new Map<string, number>();
  const audible = volume.filter((s) => s.volume > 0);
  const longest = Math.max(0, ...candidates.map((c) => c.durationMs));
  const items: ScheduledItem[] = [];
  const dropped: DroppedEntry[] = [];

  for (const c of order) {
    const deadline = c.at + c.maxDelayMs;
    let t = c.at;
    let why: string | null = null;
    let ok = false;
    while (t <= deadline) {
      const end = t + c.durationMs;
      const span = spanCovering(audible, t, end);
      if (!span) {
        const next = audible.find((s) => s.from > t);
        why = 'quiet: outside opening hours or the volume schedule';
        if (!next) break;
        t = next.from;
        continue;
      }
      const conflict = firstConflict(placed, t, end, globalGapMs, longest);
      if (conflict) {
        why =
          conflict.candidate.rank > c.rank
            ? `overridden by ${conflict.candidate.layer} layer (${conflict.candidate.campaignId})`
            : `gap ${minutes(globalGapMs)} min after ${conflict.candidate.campaignId}`;
        t = Math.max(t + 1, conflict.end + globalGapMs);
        continue;
      }
      const own = byCampaign.get(c.campaignId) ?? [];
      if (c.minGapMs !== null) {
        const near = own.find((s) => Math.abs(s - t) < (c.minGapMs as number));
        if (near !== undefined) {
          why = `campaign gap ${minutes(c.minGapMs)} min`;
          t = Math.max(t + 1, near + c.minGapMs);
          continue;
        }
      }
      if (c.maxPerHour !== null) {
        const hour = hours.hourOf(t);
        if ((perHour.get(`${c.campaignId}|${hour}`) ?? 0) >= c.maxPerHour) {
          why = `capped: ${c.maxPerHour}/h`;
          t = Math.max(t + 1, hours.nextHourStart(t));
          continue;
        }
      }
      ok = true;
      break;
    }
    if (!ok) {
      dropped.push({
        kind: 'item',
        at: c.at,
        until: c.at + c.durationMs,
        source: c.campaignId,
        layer: c.layer,
        sha256: c.sha256,
        why: why ?? 'no time left',
      });
      continue;
    }
    const moved = t - c.at;
    insertSorted(placed, { start: t, end: t + c.durationMs, candidate: c });
    insertNumber(byCampaign, c.campaignId, t);
    if (c.maxPerHour !== null) {
      const key = `${c.campaignId}|${hours.hourOf(t)}`;
      perHour.set(key, (perHour.get(key) ?? 0) + 1);
    }
    items.push({
      id: `${c.campaignId}:${c.at}`,
      at: t,
      sha256: c.sha256,
      durationMs: c.durationMs,
      entry: c.entry,
      maxDelayMs: c.maxDelayMs - moved,
      campaignId: c.campaignId,
      reason: {
        layer: c.layer,
        source: c.campaignId,
        ...(moved > 0 ? { note: `moved ${Math.round(moved / 1000)} s: ${why}` } : {}),
      },
    });
  }
  items.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  return { items, dropped };
}

function spanCovering(spans: readonly VolumeSpan[], from: number, to: number): VolumeSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid] as VolumeSpan;
    if (s.to <= from) lo = mid + 1;
    else if (s.from > from) hi = mid - 1;
    else return contiguousTo(spans, mid, to) ? s : undefined;
  }
  return undefined;
}

/** Whether the spans from `index` on cover up to `to` without a gap (an item may cross a volume change). */
function contiguousTo(spans: readonly VolumeSpan[], index: number, to: number): boolean {
  let i = index;
  let reach = (spans[i] as VolumeSpan).to;
  while (reach < to) {
    const next = spans[++i];
    if (!next || next.from !== reach) return false;
    reach = next.to;
  }
  return true;
}

/** A placed item closer than the gap to [start, end), the one ending last. */
function firstConflict(placed: readonly Placed[], start: number, end: number, gap: number, longest: number) {
  let found: Placed | undefined;
  // Items starting before end + gap; those starting before start - longest - gap cannot reach start - gap.
  let i = upperBound(placed, end + gap) - 1;
  for (; i >= 0; i--) {
    const p = placed[i] as Placed;
    if (p.start < start - longest - gap) break;
    if (p.end + gap > start && p.start < end + gap && (!found || p.end > found.end)) found = p;
  }
  return found;
}

/** Index of the first placed item starting at or after `t`. */
function upperBound(placed: readonly Placed[], t: number): number {
  let lo = 0;
  let hi = placed.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((placed[mid] as Placed).start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(placed: Placed[], p: Placed): void {
  placed.splice(upperBound(placed, p.start), 0, p);
}

function insertNumber(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

function minutes(ms: number): string {
  return String(Math.round((ms / MINUTE_MS) * 10) / 10);
}
