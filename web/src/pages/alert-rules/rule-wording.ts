import type { AlertCause, AlertRule, AlertSeverity, DeviceKind, Store } from '../../api/types.ts';
import { storeName } from '../../app/stores-cache.ts';

/** What each cause means, in the words of docs/operations.md (the engine is fleet/alerts/). */
export const CAUSE_HELP: Record<AlertCause, string> = {
  'battery-low': 'Opens when the battery is below the threshold and the device is not charging.',
  offline: 'Opens when a device has been offline for the whole period.',
  'temperature-high': 'Opens when the device temperature is above the threshold.',
  fault: 'Opens when a device reports a fault code.',
};

/** The editor's names for the fields the server's problems name (`3.clearThreshold: ...`). */
export const FIELD_LABELS: Record<string, string> = {
  id: 'Rule id',
  threshold: 'Opens at',
  clearThreshold: 'Clears at',
  forSeconds: 'Minimum duration',
  deviceKind: 'Device kind',
  storeId: 'Store',
  severity: 'Severity',
};

function num(n: number | null): string {
  return n === null ? '–' : String(n);
}

export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = seconds / 60;
  if (seconds < 7200 && Number.isInteger(minutes)) return `${minutes} min`;
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return `${hours} h`;
  return `${seconds} s`;
}

function subject(kind: DeviceKind | null): string {
  return kind === 'cart' ? 'Cart' : kind === 'speaker' ? 'Speaker' : 'Device';
}

export function scopeLabel(rule: Pick<AlertRule, 'deviceKind' | 'storeId'>, stores: Store[]): string {
  const kinds = rule.deviceKind === 'cart' ? 'Carts' : rule.deviceKind === 'speaker' ? 'Speakers' : null;
  if (rule.storeId === null) return kinds ? `All ${kinds.toLowerCase()}` : 'All devices';
  const store = storeName(stores, rule.storeId);
  return kinds ? `${kinds} in ${store}` : `All devices in ${store}`;
}

const severityWord = (s: AlertSeverity) => (s === 'critical' ? 'critical' : 'warning');

/** The rule as one sentence a store manager reads: "Cart battery below 20 % for 60 s → warning; clears at 25 %". */
export function ruleSentence(rule: AlertRule): string {
  const who = subject(rule.deviceKind);
  const hold = rule.forSeconds > 0 ? ` for ${duration(rule.forSeconds)}` : '';
  const sev = severityWord(rule.severity);
  switch (rule.cause) {
    case 'battery-low':
      return `${who} battery below ${num(rule.threshold)} %${hold} → ${sev}; clears at ${num(rule.clearThreshold)} % or when charging`;
    case 'temperature-high':
      return `${who} temperature above ${num(rule.threshold)} °C${hold} → ${sev}; clears below ${num(rule.clearThreshold)} °C`;
    case 'offline':
      return `${who} offline for ${rule.threshold === null ? '–' : duration(rule.threshold)} → ${sev}; clears when back online${hold}`;
    case 'fault':
      return `${who} reports a fault${rule.forSeconds > 0 ? ` not cleared within ${duration(rule.forSeconds)}` : ''} → ${sev}; clears when the device clears it`;
  }
}

/** The open and clear conditions with their units, as short facts. */
export function ruleFacts(rule: AlertRule): { label: string; value: string }[] {
  const hold = rule.forSeconds > 0 ? duration(rule.forSeconds) : 'at once';
  switch (rule.cause) {
    case 'battery-low':
      return [
        { label: 'Opens below', value: `${num(rule.threshold)} %` },
        { label: 'Clears at', value: `${num(rule.clearThreshold)} %` },
        { label: 'Minimum duration', value: hold },
      ];
    case 'temperature-high':
      return [
        { label: 'Opens above', value: `${num(rule.threshold)} °C` },
        { label: 'Clears below', value: `${num(rule.clearThreshold)} °C` },
        { label: 'Minimum duration', value: hold },
      ];
    case 'offline':
      return [
        { label: 'Offline for', value: rule.threshold === null ? '–' : `${rule.threshold} s` },
        { label: 'Clears', value: 'back online' },
        { label: 'Online for', value: hold },
      ];
    case 'fault':
      return [
        { label: 'Opens on', value: 'a fault code' },
        { label: 'Clears', value: 'fault cleared' },
        { label: 'Minimum duration', value: hold },
      ];
  }
}
