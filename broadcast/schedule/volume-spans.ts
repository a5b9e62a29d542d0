import type { VolumeRule, VolumeSchedule } from '../../protocol/api/broadcast-schedule.ts';
import type { VolumeSpan } from '../../protocol/broadcast/manifest.ts';
import type { OpeningHours } from './compile-input.ts';
import { DAY_MS, minutesOf, weekdayOf, type ZoneOffsets } from './zoned-time.ts';

const MINUTE_MS = 60_000;

/**
 * A speaker's volume spans over [from, to): within the store's opening hours (local, per weekday; a closing time
 * before the opening time runs past midnight) the default volume, painted over by the rules that apply that weekday,
 * in order (a later rule wins); outside opening hours no span at all, which the manifest reads as quiet. Spans at
 * volume 0 are left out too. Adjacent spans of one volume are merged.
 */
export function volumeSpans(
  openingHours: OpeningHours,
  schedule: VolumeSchedule | null,
  defaultVolume: number,
  thingName: string,
  zone: string,
  zones: ZoneOffsets,
  from: number,
  to: number,
): VolumeSpan[] {
  const rules: readonly VolumeRule[] = schedule ? (schedule.speakers[thingName] ?? schedule.rules) : [];
  const base = schedule?.defaultVolume ?? defaultVolume;
  const firstDay = Math.floor(zones.toWall(zone, from) / DAY_MS) * DAY_MS - DAY_MS;
  const lastDay = Math.floor(zones.toWall(zone, to) / DAY_MS) * DAY_MS;
  const spans: VolumeSpan[] = [];
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    const weekday = weekdayOf(day);
    for (const [open, close] of openingHours[weekday] ?? []) {
      const a = minutesOf(open);
      let b = minutesOf(close);
      if (b <= a) b += 24 * 60;
      // Paint minute ranges: [start, end, volume], the default first, each rule over it.
      let pieces: [number, number, number][] = [[a, b, base]];
      for (const rule of rules) {
        if (rule.days.length > 0 && !rule.days.includes(weekday as VolumeRule['days'][number])) continue;
        const ra = minutesOf(rule.from);
        let rb = minutesOf(rule.to);
        if (rb <= ra) rb += 24 * 60;
        pieces = paint(pieces, ra, rb, rule.volume);
      }
      for (const [pa, pb, volume] of pieces) {
        if (volume === 0) continue;
        const start = Math.max(from, zones.toInstant(zone, day + pa * MINUTE_MS));
        const end = Math.min(to, zones.toInstant(zone, day + pb * MINUTE_MS));
        if (end > start) spans.push({ from: start, to: end, volume });
      }
    }
  }
  spans.sort((x, y) => x.from - y.from);
  const merged: VolumeSpan[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && last.to >= s.from && last.volume === s.volume) last.to = Math.max(last.to, s.to);
    else if (last && last.to > s.from) merged.push({ ...s, from: last.to });
    else merged.push({ ...s });
  }
  return merged.filter((s) => s.to > s.from);
}

function paint(pieces: [number, number, number][], a: number, b: number, volume: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const [pa, pb, v] of pieces) {
    if (pb <= a || pa >= b) {
      out.push([pa, pb, v]);
      continue;
    }
    if (pa < a) out.push([pa, a, v]);
    out.push([Math.max(pa, a), Math.min(pb, b), volume]);
    if (pb > b) out.push([b, pb, v]);
  }
  return out;
}
