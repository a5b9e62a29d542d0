import type { DeviceSummary, LiveEvents, Page } from '../api/types.ts';

/** Applies a live event to a device summary (list rows, map markers), so pages stay current without reloading. */
export function applyPresence<T extends DeviceSummary>(device: T, e: LiveEvents['presence']): T {
  return {
    ...device,
    presence: { state: e.state, since: e.at, disconnectReason: e.state === 'offline' ? e.reason : null },
    lastSeen: e.state === 'online' ? e.at : device.lastSeen,
  };
}

export function applyTelemetry<T extends DeviceSummary>(device: T, e: LiveEvents['telemetry']): T {
  const m = e.metrics;
  const next: T = { ...device, lastSeen: Math.max(device.lastSeen ?? 0, e.ts) };
  if (typeof m['battery.percent'] === 'number') next.battery = m['battery.percent'];
  if (typeof m['battery.charging'] === 'boolean') next.charging = m['battery.charging'];
  if (typeof m['temperature.c'] === 'number') next.temperature = m['temperature.c'];
  if (typeof m.zone === 'string' || m.zone === null) next.zone = m.zone;
  // a device only sends data while connected, whatever presence event may still be in flight
  if (next.presence.state !== 'online') next.presence = { state: 'online', since: e.ts, disconnectReason: null };
  return next;
}

/**
 * A page of devices with `thingName`'s row replaced by `update(row)`; the very same page when the device is not on it,
 * so a live event about another device re-renders nothing.
 */
export function patchDeviceRow<T extends DeviceSummary>(
  page: Page<T> | undefined,
  thingName: string,
  update: (device: T) => T,
): Page<T> | undefined {
  if (!page?.items.some((d) => d.thingName === thingName)) return page;
  return { ...page, items: page.items.map((d) => (d.thingName === thingName ? update(d) : d)) };
}
