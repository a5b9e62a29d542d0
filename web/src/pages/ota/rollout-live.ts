import { OTA_LOG_LINE_SEPARATOR } from '../../../../protocol/ota/device-ota.ts';
import type { PhaseStart, Rollout, RolloutDevice, RolloutDevicePage, RolloutState } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import type { Tone } from '../../components/tone.ts';

/** The rollout detail's rules for live updates and progress, apart from the page so they are tested alone. */

export type RolloutCounts = Rollout['counts'];

export interface DeviceFilter {
  phase: number | null;
  status: string | null;
}

export function matchesFilter(device: RolloutDevice, filter: DeviceFilter): boolean {
  return (
    (filter.phase === null || device.phase === filter.phase) && (!filter.status || device.status === filter.status)
  );
}

/**
 * A `rollout-device` event on the page of devices shown: a row on the page is replaced (or leaves it when it no
 * longer matches the filter); a device that now matches but is not on the page asks for a reload (`stale`), since
 * only the server knows where it sorts. Events of other rollouts change nothing.
 */
export function applyDeviceEvent(
  page: RolloutDevicePage,
  rolloutId: string,
  event: { rolloutId: string; device: RolloutDevice },
  filter: DeviceFilter,
): { page: RolloutDevicePage; stale: boolean } {
  if (event.rolloutId !== rolloutId) return { page, stale: false };
  const at = page.items.findIndex((d) => d.thingName === event.device.thingName);
  const matches = matchesFilter(event.device, filter);
  if (at >= 0) {
    const items = [...page.items];
    if (matches) items[at] = event.device;
    else items.splice(at, 1);
    return { page: { items, total: matches ? page.total : Math.max(0, page.total - 1) }, stale: false };
  }
  return { page, stale: matches };
}

/** A `rollout` event: the newer state of the one shown (the server sends the whole rollout), older ones ignored. */
export function applyRolloutEvent(current: Rollout | undefined, event: Rollout): Rollout | undefined {
  if (!current || event.id !== current.id) return current;
  return event.updatedAt >= current.updatedAt ? event : current;
}

export interface Segment {
  key: 'succeeded' | 'failed' | 'inProgress' | 'queued' | 'pending' | 'canceled';
  label: string;
  value: number;
  tone: Tone;
}

/**
 * A phase's (or the rollout's) bar: succeeded, failed (failed, rejected and timed out: what the abort criteria
 * count), in progress, queued, pending, canceled. The segments add up to `total`.
 */
export function segmentsOf(c: RolloutCounts): Segment[] {
  return [
    { key: 'succeeded', label: 'Succeeded', value: c.succeeded, tone: 'ok' },
    { key: 'failed', label: 'Failed', value: c.failed + c.rejected + c.timedOut, tone: 'bad' },
    { key: 'inProgress', label: 'In progress', value: c.inProgress, tone: 'info' },
    { key: 'queued', label: 'Queued', value: c.queued, tone: 'warn' },
    { key: 'pending', label: 'Pending', value: c.pending, tone: 'idle' },
    { key: 'canceled', label: 'Canceled', value: c.canceled, tone: 'idle' },
  ];
}

/** Finished executions (succeeded or failed one way or another) out of the total, in whole percent. */
export function donePercent(c: RolloutCounts): number {
  if (c.total === 0) return 0;
  return Math.floor(((c.succeeded + c.failed + c.rejected + c.timedOut + c.canceled) * 100) / c.total);
}

export function startRuleText(start: PhaseStart, previousPhase: string | null): string {
  switch (start.kind) {
    case 'immediately':
      return 'starts with the rollout';
    case 'at':
      return `starts at ${absoluteTime(start.at)}`;
    case 'after-success':
      return `starts when ${start.successPercent} % of ${previousPhase ?? 'the previous phase'} succeeded`;
  }
}

/** What an operator may ask in each state (the server decides; ROLLOUT_STATE_INVALID otherwise). */
export const ROLLOUT_ACTIONS = ['pause', 'resume', 'abort'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

const ALLOWED: Record<RolloutAction, readonly RolloutState[]> = {
  pause: ['scheduled', 'running'],
  resume: ['paused'],
  abort: ['scheduled', 'running', 'paused'],
};

export function actionsFor(state: RolloutState): RolloutAction[] {
  return ROLLOUT_ACTIONS.filter((a) => ALLOWED[a].includes(state));
}

export function isFinished(state: RolloutState): boolean {
  return state === 'completed' || state === 'aborted' || state === 'canceled';
}

/** A device's `logs` as lines: the agent joins them with OTA_LOG_LINE_SEPARATOR (status details hold no newlines). */
export function logLines(logs: string): string[] {
  return logs.split(OTA_LOG_LINE_SEPARATOR).filter((line) => line.length > 0);
}
