import { useMemo, useState } from 'preact/hooks';
import type { Calendar } from '../../../../protocol/api/broadcast-schedule.ts';
import type { BroadcastLayer } from '../../../../protocol/broadcast/layers.ts';
import { LAYER_COLOURS, LAYER_LABELS } from './layer-style.tsx';
import { shiftDay } from './store-day.ts';
import { splitByDay, zoned } from './zoned-day.ts';

type Speaker = Calendar['speakers'][number];

const HOUR_PX = 22;

/** One thing on the grid, with what the hover card says about it. */
interface Block {
  key: string;
  kind: 'music' | 'item' | 'promo' | 'dropped' | 'quiet';
  day: string;
  start: number;
  end: number;
  layer: BroadcastLayer | null;
  title: string;
  when: string;
  why: string;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(Math.floor(minutes % 60)).padStart(2, '0')}`;

function blocksOf(s: Speaker, timeZone: string): Block[] {
  const titles = new Map(s.assets.map((a) => [a.sha256, a.title]));
  const out: Block[] = [];
  const add = (
    key: string,
    kind: Block['kind'],
    from: number,
    to: number,
    layer: BroadcastLayer | null,
    title: string,
    why: string,
  ) => {
    const a = zoned(from, timeZone);
    const b = zoned(to, timeZone);
    for (const [i, piece] of splitByDay(from, Math.max(to, from + 60_000), timeZone).entries())
      out.push({ key: `${key}-${i}`, kind, ...piece, layer, title, when: `${a.day} ${a.hhmm} – ${b.hhmm}`, why });
  };
  for (const w of s.music)
    add(
      w.id,
      'music',
      w.from,
      w.to,
      w.reason.layer,
      `Music: ${w.playlist.length} track${w.playlist.length === 1 ? '' : 's'}${w.shuffleSeed !== null ? ', shuffled' : ''}`,
      `${LAYER_LABELS[w.reason.layer]} won (${w.reason.source})${w.reason.note ? `; ${w.reason.note}` : ''}`,
    );
  for (const it of s.items)
    add(
      it.id,
      'item',
      it.at,
      it.at + it.durationMs,
      it.reason.layer,
      titles.get(it.sha256) ?? it.sha256.slice(0, 10),
      `${LAYER_LABELS[it.reason.layer]} won (${it.reason.source}), ${it.entry.replace('_', ' ')}${it.reason.note ? `; ${it.reason.note}` : ''}`,
    );
  for (const w of s.promo?.windows ?? [])
    add(
      `promo-${w.from}`,
      'promo',
      w.from,
      w.to,
      null,
      `Presence promo ${s.promo?.campaignId}`,
      'Plays when someone is near',
    );
  for (const [i, d] of s.dropped.entries())
    add(
      `dropped-${i}`,
      'dropped',
      d.at,
      d.until,
      d.layer,
      `Dropped: ${d.sha256 ? (titles.get(d.sha256) ?? d.source) : d.source}`,
      `${LAYER_LABELS[d.layer]} (${d.source}) left out: ${d.why}`,
    );
  return out;
}

/** Quiet stretches of each day: outside every volume span (outside opening hours) the speaker plays nothing. */
function quietOf(s: Speaker, timeZone: string, days: string[]): Block[] {
  const audible = new Map<string, [number, number][]>();
  for (const v of s.volume.filter((v) => v.volume > 0))
    for (const p of splitByDay(v.from, v.to, timeZone))
      audible.set(p.day, [...(audible.get(p.day) ?? []), [p.start, p.end]]);
  const out: Block[] = [];
  for (const day of days) {
    const spans = (audible.get(day) ?? []).sort((a, b) => a[0] - b[0]);
    let t = 0;
    for (const [a, b] of [...spans, [24 * 60, 24 * 60] as [number, number]]) {
      if (a > t)
        out.push({
          key: `quiet-${day}-${t}`,
          kind: 'quiet',
          day,
          start: t,
          end: a,
          layer: null,
          title: 'Quiet',
          when: `${day} ${hhmm(t)} – ${hhmm(a)}`,
          why: 'Outside opening hours or the volume schedule',
        });
      t = Math.max(t, b);
    }
  }
  return out;
}

/** A speaker's week: a column per local day, hours down, blocks coloured by layer; hovering one says why. */
export function SpeakerWeek({ speaker, timeZone, from }: { speaker: Speaker; timeZone: string; from: number }) {
  const first = zoned(from, timeZone).day;
  const days = Array.from({ length: 7 }, (_, i) => shiftDay(first, i));
  const blocks = useMemo(
    () => [...quietOf(speaker, timeZone, days), ...blocksOf(speaker, timeZone)].filter((b) => days.includes(b.day)),
    [speaker, timeZone, first],
  );
  const [hover, setHover] = useState<Block | null>(null);
  const weekday = new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });

  return (
    <section class="panel" data-testid="calendar-speaker" data-thing={speaker.thingName}>
      <header class="panel-header">
        <h2>
          {speaker.thingName}{' '}
          <span class="muted small">{speaker.role === 'promo' ? 'promo speaker' : 'broadcast box'}</span>
        </h2>
        <span class="muted small">
          {speaker.items.length} announcements · {speaker.dropped.length} dropped · {timeZone}
        </span>
      </header>
      <div class="week">
        <div class="week-hours" aria-hidden="true">
          <div class="week-day-head" />
          <div class="week-body" style={{ height: `${24 * HOUR_PX}px` }}>
            {Array.from({ length: 24 }, (_, h) => (
              <span key={h} style={{ top: `${h * HOUR_PX}px` }}>
                {String(h).padStart(2, '0')}
              </span>
            ))}
          </div>
        </div>
        {days.map((day) => (
          <div class="week-day" key={day} data-day={day}>
            <div class="week-day-head">{weekday.format(new Date(`${day}T00:00:00Z`))}</div>
            <div class="week-body" style={{ height: `${24 * HOUR_PX}px` }}>
              {blocks
                .filter((b) => b.day === day)
                .map((b) => (
                  <button
                    type="button"
                    key={b.key}
                    class={`cal-block cal-${b.kind}`}
                    style={{
                      top: `${(b.start / 60) * HOUR_PX}px`,
                      height: `${Math.max(b.kind === 'item' || b.kind === 'dropped' ? 4 : 1, ((b.end - b.start) / 60) * HOUR_PX)}px`,
                      '--layer': b.layer ? LAYER_COLOURS[b.layer] : undefined,
                    }}
                    title={`${b.title}\n${b.when}\n${b.why}`}
                    data-testid={`cal-${b.kind}`}
                    data-layer={b.layer ?? undefined}
                    data-why={b.why}
                    aria-label={`${b.title}, ${b.when}: ${b.why}`}
                    onMouseEnter={() => setHover(b)}
                    onFocus={() => setHover(b)}
                  />
                ))}
            </div>
          </div>
        ))}
      </div>
      <div class="cal-hover" data-testid="calendar-hover" aria-live="polite">
        {hover ? (
          <>
            <strong>{hover.title}</strong> <span class="muted">{hover.when}</span>
            <div>{hover.why}</div>
          </>
        ) : (
          <span class="muted">Point at an entry to see why it is there.</span>
        )}
      </div>
    </section>
  );
}
