import type { AlertCause, AlertRule } from '../../protocol/api/alert-rules.ts';

/** The latest thing the fleet knows about one cause of one device. */
export type Observation =
  | { cause: 'battery-low'; percent: number; charging: boolean }
  | { cause: 'temperature-high'; celsius: number }
  | { cause: 'offline'; offline: boolean; since: number; reason: string | null }
  | { cause: 'fault'; active: boolean; code: string; message: string | null };

export type AlertValue = number | string | null;

/** A device's fault code: what the `events` stream's `fault` / `fault.cleared` messages carry in `code`. */
export const FAULT_CODE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The key that makes "one open alert per cause per device": the cause, or `fault:{code}` (one per fault code). */
export function causeKeyOf(cause: AlertCause, faultCode?: string): string {
  return cause === 'fault' ? `fault:${faultCode}` : cause;
}

/** Whether the rule's condition holds (an inactive tier starts counting towards opening). */
export function breached(rule: AlertRule, o: Observation): boolean {
  switch (o.cause) {
    case 'battery-low':
      return !o.charging && o.percent < (rule.threshold as number);
    case 'temperature-high':
      return o.celsius > (rule.threshold as number);
    case 'offline':
      return o.offline;
    case 'fault':
      return o.active;
  }
}

/** Whether the cause is gone (an active tier starts counting towards clearing). Between the two: hysteresis. */
export function cleared(rule: AlertRule, o: Observation): boolean {
  switch (o.cause) {
    case 'battery-low':
      return o.charging || o.percent >= (rule.clearThreshold as number);
    case 'temperature-high':
      return o.celsius < (rule.clearThreshold as number);
    case 'offline':
      return !o.offline;
    case 'fault':
      return !o.active;
  }
}

/**
 * How long the condition must still hold before the tier becomes active, counted from `now`. For `offline` the
 * period runs from when the device went away (or from `armedAt`, when an operator resolved the alert by hand).
 */
export function openDelayMs(rule: AlertRule, o: Observation, now: number, armedAt: number): number {
  if (o.cause === 'offline') return Math.max(0, (rule.threshold as number) * 1000 - (now - Math.max(o.since, armedAt)));
  return rule.forSeconds * 1000;
}

export function clearDelayMs(rule: AlertRule): number {
  return rule.forSeconds * 1000;
}

/** The alert's `value`: battery %, °C, seconds offline, or the fault code. */
export function alertValueOf(o: Observation, now: number): AlertValue {
  switch (o.cause) {
    case 'battery-low':
      return o.percent;
    case 'temperature-high':
      return o.celsius;
    case 'offline':
      return Math.round((now - o.since) / 1000);
    case 'fault':
      return o.code;
  }
}

/** A readable message naming the value and the threshold of the most severe active rule. */
export function messageOf(o: Observation, rule: AlertRule, now: number): string {
  switch (o.cause) {
    case 'battery-low':
      return `Battery at ${o.percent} % (below ${rule.threshold} %)`;
    case 'temperature-high':
      return `Temperature ${Math.round(o.celsius * 10) / 10} °C (above ${rule.threshold} °C)`;
    case 'offline':
      return `Offline for ${Math.round((now - o.since) / 1000)} s (more than ${rule.threshold} s)${o.reason ? `: ${o.reason}` : ''}`;
    case 'fault':
      return `Fault ${o.code}${o.message ? `: ${o.message}` : ''}`;
  }
}
