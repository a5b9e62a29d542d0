import { CronExpressionParser } from 'cron-parser';
import type { MaintenanceWindow } from '../../protocol/api/rollouts.ts';

export interface WindowState {
  open: boolean;
  /** When the next window opens after `t` (null: no window ever opens). */
  nextOpenAt: number | null;
}

const MINUTE = 60_000;

/**
 * A store's maintenance windows (hawkBit's maintenance window: a cron for when it opens, a duration, a time zone; AWS
 * IoT Jobs' scheduling `maintenanceWindows` likewise), judged at an instant: open when a window opened within its
 * duration before `t`. The cron is read in the window's zone (the store's when the window names none) by
 * cron-parser, which places a local time that a DST change skips at the first instant after the gap (02:30 on a
 * spring-forward night in New York opens at 03:30 EDT) and a local time that repeats at its first occurrence only
 * (01:30 on a fall-back night opens once, at 01:30 EDT). The duration is elapsed time: a 2 h window opening at 01:00
 * on a fall-back night closes at 02:00 local, three wall-clock hours later.
 *
 * cron-parser answers "the next opening after t" from where it starts looking: from inside the hour after a
 * spring-forward gap it no longer sees the opening the gap moved there (from 07:00Z on 2027-03-14 it skips 07:30Z,
 * which it answers from 06:59Z), and its `prev()` never sees it. So every question starts looking {@link LOOKBACK_MS}
 * earlier than it needs and steps forward: the openings are then the same whichever instant asks.
 */
export function windowState(windows: readonly MaintenanceWindow[], storeZone: string, t: number): WindowState {
  let open = false;
  let nextOpenAt: number | null = null;
  for (const w of windows) {
    const tz = w.timeZone || storeZone;
    const opened = firstStartAfter(w.cron, tz, t - w.durationMinutes * MINUTE);
    if (opened !== null && opened <= t) open = true;
    const next = firstStartAfter(w.cron, tz, t);
    if (next !== null && (nextOpenAt === null || next < nextOpenAt)) nextOpenAt = next;
  }
  return { open, nextOpenAt };
}

/** Longer than any DST shift (1 h; 30 min on Lord Howe Island): a search from this far back passes the gap itself. */
const LOOKBACK_MS = 3 * 3_600_000;

/** At most one opening a minute: a search over LOOKBACK_MS never needs more steps than this. */
const MAX_STEPS = LOOKBACK_MS / MINUTE + 2;

/** The first opening strictly after `t` (null: a cron that never opens, or one cron-parser cannot read). */
function firstStartAfter(cron: string, tz: string, t: number): number | null {
  try {
    const expression = CronExpressionParser.parse(cron, { tz, currentDate: t - LOOKBACK_MS });
    for (let step = 0; step < MAX_STEPS; step++) {
      const at = expression.next().getTime();
      if (at > t) return at;
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * What is wrong with a window, every problem at once: a cron of 5 fields (minute hour day-of-month month
 * day-of-week; cron-parser would also take 4 or 6), values in range, a zone it knows, and a window that opens at
 * all within a year (`0 0 30 2 *` never does).
 */
export function windowProblems(w: MaintenanceWindow, storeZone: string | null, label: string): string[] {
  const problems: string[] = [];
  const fields = w.cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    problems.push(`${label}: the cron has ${fields.length} fields; give 5 (minute hour day month weekday)`);
  }
  const tz = w.timeZone || storeZone;
  if (!tz) problems.push(`${label}: no time zone (the store has none; give timeZone)`);
  else if (!isTimeZone(tz)) problems.push(`${label}: '${tz}' is not an IANA time zone`);
  if (problems.length > 0) return problems;
  try {
    const expression = CronExpressionParser.parse(w.cron, { tz: tz ?? 'UTC', currentDate: 0 });
    expression.next();
  } catch (err) {
    problems.push(`${label}: ${cronMessage(err)}`);
  }
  return problems;
}

function cronMessage(err: unknown): string {
  const message = (err as Error).message;
  if (/loop limit|out of the time span/i.test(message)) return 'the cron never opens';
  return `the cron is not valid: ${message}`;
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
