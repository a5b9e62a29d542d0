import type { DroppedEntry, Programme, SlotOverride } from '../../protocol/api/broadcast-schedule.ts';
import { type BroadcastLayer, layerRank } from '../../protocol/broadcast/layers.ts';
import type { MusicWindow } from '../../protocol/broadcast/manifest.ts';
import type { HolidayDates, RecurrenceExpander } from './recurrence.ts';
import { stableHash } from './stable-hash.ts';

/** One slot occurrence wanting its time. `playlist` null: a store silenced it (it still holds its time). */
interface MusicClaim {
  id: string;
  from: number;
  to: number;
  layer: BroadcastLayer;
  rank: number;
  priority: number;
  programmeId: string;
  playlist: string[] | null;
  shuffle: boolean;
  note: string | undefined;
}

const MINUTE_MS = 60_000;

/**
 * Music windows from programme slots: each occurrence claims [start, start + duration); where claims overlap the
 * higher layer wins, then the higher priority, then the earlier start, then the id (a total order, so the same
 * input always gives the same windows). A claim loses the time others win and keeps the rest; one left with nothing
 * is reported as dropped. Windows are cut at the horizon.
 */
export function musicWindows(
  programmes: readonly Programme[],
  overrides: readonly SlotOverride[],
  zone: string,
  from: number,
  to: number,
  holidays: HolidayDates,
  expander: RecurrenceExpander,
): { music: MusicWindow[]; dropped: DroppedEntry[] } {
  const claims: MusicClaim[] = [];
  for (const programme of programmes) {
    for (const slot of programme.slots) {
      const lengthMs = slot.durationMinutes * MINUTE_MS;
      for (const o of expander.expand(slot.recurrence, zone, from, to, holidays, lengthMs)) {
        const end = Math.min(o.at + lengthMs, to);
        const start = Math.max(o.at, from);
        if (end <= start) continue;
        const override = overrides.find(
          (v) =>
            v.programmeId === programme.id &&
            v.slotId === slot.id &&
            v.fromDate <= o.localDate &&
            o.localDate <= v.untilDate,
        );
        claims.push({
          id: `${programme.id}:${slot.id}:${o.at}`,
          from: start,
          to: end,
          layer: programme.layer,
          rank: layerRank(programme.layer),
          priority: programme.priority,
          programmeId: programme.id,
          playlist: override ? override.playlist : slot.playlist,
          shuffle: override ? override.shuffle : slot.shuffle,
          note: override ? `store override ${override.id}${override.playlist ? '' : ': silence'}` : undefined,
        });
      }
    }
  }
  claims.sort(byPrecedence);

  // Elementary segments between every boundary; each goes to the first claim (in precedence) covering it.
  const bounds = [...new Set(claims.flatMap((c) => [c.from, c.to]))].sort((a, b) => a - b);
  const won = new Map<MusicClaim, [number, number][]>();
  const active: MusicClaim[] = [];
  const byStart = [...claims].sort((a, b) => a.from - b.from);
  let next = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const a = bounds[i] as number;
    const b = bounds[i + 1] as number;
    while (next < byStart.length && (byStart[next] as MusicClaim).from <= a) active.push(byStart[next++] as MusicClaim);
    let winner: MusicClaim | undefined;
    for (let k = active.length - 1; k >= 0; k--) {
      const c = active[k] as MusicClaim;
      if (c.to <= a) {
        active.splice(k, 1);
        continue;
      }
      if (!winner || byPrecedence(c, winner) < 0) winner = c;
    }
    if (!winner) continue;
    const pieces = won.get(winner) ?? [];
    const last = pieces[pieces.length - 1];
    if (last && last[1] === a) last[1] = b;
    else pieces.push([a, b]);
    won.set(winner, pieces);
  }

  const music: MusicWindow[] = [];
  const dropped: DroppedEntry[] = [];
  for (const claim of claims) {
    const pieces = won.get(claim);
    if (!pieces) {
      const over = claims.find((c) => c !== claim && won.has(c) && c.from < claim.to && claim.from < c.to);
      dropped.push({
        kind: 'music',
        at: claim.from,
        until: claim.to,
        source: claim.programmeId,
        layer: claim.layer,
        sha256: null,
        why: over ? overriddenBy(over) : 'overridden',
      });
      continue;
    }
    if (claim.playlist === null) continue;
    const cut = pieces.length > 1 || pieces[0]?.[0] !== claim.from || pieces[0]?.[1] !== claim.to;
    pieces.forEach(([a, b], index) => {
      const id = pieces.length > 1 ? `${claim.id}.${index + 1}` : claim.id;
      const notes = [claim.note, cut ? 'cut by a higher layer' : undefined].filter((n) => n !== undefined);
      music.push({
        id,
        from: a,
        to: b,
        playlist: claim.playlist as string[],
        shuffleSeed: claim.shuffle ? stableHash(claim.id) : null,
        reason: {
          layer: claim.layer,
          source: claim.programmeId,
          ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
        },
      });
    });
  }
  music.sort((x, y) => x.from - y.from);
  return { music, dropped };
}

function overriddenBy(winner: MusicClaim): string {
  if (winner.playlist === null) return `silenced by a store override (${winner.programmeId})`;
  return `overridden by ${winner.layer} layer (${winner.programmeId})`;
}

/** Precedence: higher layer, higher priority, earlier start, then id. Negative when `a` comes first. */
function byPrecedence(a: MusicClaim, b: MusicClaim): number {
  return b.rank - a.rank || b.priority - a.priority || a.from - b.from || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
