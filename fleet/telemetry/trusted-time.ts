/**
 * What the fleet trusts about when a reading was taken.
 *
 * A device's `ts` is its own clock's word, and clocks are wrong: a fast or reset clock, or a forged value, must not
 * decide what the fleet shows as a device's latest reading or which of two readings an alert acts on. The fleet
 * trusts its own receive time, as AWS IoT does (the rules engine's `timestamp()` and shadow metadata are the
 * service's time, not the device's):
 *
 * - A message whose `ts` lies outside `[receivedAt - maxAgeMs, receivedAt + maxAheadMs]` is refused with
 *   `TELEMETRY_TS_OUT_OF_RANGE` and not stored (AWS IoT SiteWise refuses values outside [-7 days, +10 minutes] of
 *   its receive time the same way, with `TimestampOutOfRangeException`; those are the defaults).
 * - Accepted messages keep the device's `ts` (history and charts are in device time), but order by
 *   `observedAt = min(ts, receivedAt)`: a reading never counts as newer than the moment the fleet received it, so
 *   a fast clock cannot hold a reading above the ones that follow it, while an outbox replay (older `ts`, received
 *   later) still never replaces a newer reading.
 *
 * `TelemetryRepository.newest()` applies the same order in SQL (`min(ts, received_at)`).
 */
export interface TimestampWindow {
  /** Furthest a `ts` may lie ahead of the receive time. */
  maxAheadMs: number;
  /** Furthest a `ts` may lie behind the receive time (an outbox replaying after a long time offline). */
  maxAgeMs: number;
}

/** The order key of a reading: the device's `ts`, but never later than when the fleet received it. */
export function observedAt(ts: number, receivedAt: number): number {
  return Math.min(ts, receivedAt);
}

/** Why `ts` is refused, or `undefined` when it lies within the window around `receivedAt`. */
export function timestampRefusal(ts: number, receivedAt: number, window: TimestampWindow): string | undefined {
  if (ts > receivedAt + window.maxAheadMs) {
    return `ts ${ts} is ${ts - receivedAt} ms ahead of the fleet's clock (at most ${window.maxAheadMs})`;
  }
  if (ts < receivedAt - window.maxAgeMs) {
    return `ts ${ts} is ${receivedAt - ts} ms behind the fleet's clock (at most ${window.maxAgeMs})`;
  }
  return undefined;
}
