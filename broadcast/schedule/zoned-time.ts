/**
 * Local wall time in a store's zone and back, without the host's zone: rrule 2.8's own TZID support converts through
 * the host's local time (its results shift with the TZ of the machine, and its `between` missed occurrences in our
 * checks), so recurrences are expanded in floating wall time (a Date whose UTC fields are the local fields) and
 * placed in the zone here.
 */

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** A zone's UTC offsets, remembered per UTC hour (offsets change on the hour or half hour; zones are few). */
export class ZoneOffsets {
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();
  private readonly byHour = new Map<string, Map<number, number>>();

  /** Milliseconds to add to a UTC instant to get the zone's wall time at that instant. */
  offsetAt(zone: string, instant: number): number {
    let hours = this.byHour.get(zone);
    if (!hours) {
      hours = new Map();
      this.byHour.set(zone, hours);
    }
    // Half-hour buckets: some zones change at :30 (Lord Howe), a few offsets are :45.
    const bucket = Math.floor(instant / (HOUR_MS / 2));
    let offset = hours.get(bucket);
    if (offset === undefined) {
      offset = this.measure(zone, bucket * (HOUR_MS / 2));
      hours.set(bucket, offset);
    }
    return offset;
  }

  /** The zone's wall time at `instant`, as floating milliseconds (UTC fields = local fields). */
  toWall(zone: string, instant: number): number {
    return instant + this.offsetAt(zone, instant);
  }

  /**
   * The instant a wall time names in the zone. RFC 5545 §3.3.5: a local time that does not exist (skipped by a DST
   * change) is read with the offset from before the gap (02:30 on a spring-forward night is 03:30), and one that
   * exists twice means the first.
   */
  toInstant(zone: string, wall: number): number {
    const before = this.offsetAt(zone, wall - DAY_MS / 2);
    const after = this.offsetAt(zone, wall + DAY_MS / 2);
    if (before === after) return wall - before;
    const first = wall - before;
    if (this.toWall(zone, first) === wall) return first;
    const second = wall - after;
    if (this.toWall(zone, second) === wall) return second;
    return first;
  }

  private measure(zone: string, instant: number): number {
    let formatter = this.formatters.get(zone);
    if (!formatter) {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      this.formatters.set(zone, formatter);
    }
    const parts: Record<string, number> = {};
    for (const part of formatter.formatToParts(new Date(instant))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      parts.year as number,
      (parts.month as number) - 1,
      parts.day as number,
      parts.hour as number,
      parts.minute as number,
      parts.second as number,
    );
    return wall - (instant - (instant % 1000));
  }
}

/** `YYYY-MM-DD` of a floating wall time. */
export function wallDate(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM` of a floating wall time. */
export function wallMinute(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16);
}

/** Floating midnight of a `YYYY-MM-DD`. */
export function parseWallDate(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Minutes since midnight of `HH:MM` (`24:00` is 1440). */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h as number) * 60 + (m as number);
}

export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

/** The weekday of a floating wall time. */
export function weekdayOf(wall: number): WeekdayKey {
  return WEEKDAY_KEYS[new Date(wall).getUTCDay()] as WeekdayKey;
}
