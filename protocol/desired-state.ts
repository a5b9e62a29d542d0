import type { DeviceKind } from './api/devices.ts';

/**
 * What operators may ask of each device kind through the shadow's `desired` state, and the ranges the device
 * runtimes honour. Checked by the fleet's API before a desired change is written (the devices check again); the
 * console builds its settings controls from the same table.
 * `null` removes a key from desired, as in AWS's shadow documents.
 */
export interface DesiredKey {
  type: 'integer';
  minimum: number;
  maximum: number;
  /** What an operator sees (console, CLI). */
  label: string;
  unit: '%';
  description: string;
}

export const DESIRED_KEYS: Record<DeviceKind, Record<string, DesiredKey>> = {
  cart: {
    brightness: {
      type: 'integer',
      minimum: 0,
      maximum: 100,
      label: 'Screen brightness',
      unit: '%',
      description: 'screen backlight, percent',
    },
  },
  speaker: {
    volume: {
      type: 'integer',
      minimum: 0,
      maximum: 100,
      label: 'Volume',
      unit: '%',
      description: 'amplifier gain, percent',
    },
  },
};

/** The problems with a desired change for a kind; empty when it is acceptable. */
export function desiredStateProblems(kind: DeviceKind, desired: Record<string, unknown>): string[] {
  const keys = DESIRED_KEYS[kind];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const spec = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (!spec) {
      problems.push(`'${key}' is not a setting of a ${kind} (settings: ${Object.keys(keys).join(', ')})`);
      continue;
    }
    if (value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.minimum || value > spec.maximum) {
      problems.push(`'${key}' must be an integer from ${spec.minimum} to ${spec.maximum} (or null)`);
    }
  }
  if (Object.keys(desired).length === 0) problems.push('desired is empty');
  return problems;
}
