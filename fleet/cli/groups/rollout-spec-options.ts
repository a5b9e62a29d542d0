import { DEVICE_KINDS, type DeviceKind } from '../../../protocol/api/devices.ts';
import type { ReleasePage } from '../../../protocol/api/releases.ts';
import type { RolloutPhaseSpec, RolloutSpec } from '../../../protocol/api/rollouts.ts';
import { JOB_FAILURE_TYPES, type JobFailureType } from '../../../protocol/jobs-status.ts';
import type { CliContext } from '../cli-context.ts';
import { integerOption, listOption } from '../cli-context.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';

/** The options of `fleetctl rollouts create`, as parseArgs hands them over. */
export interface CreateOptions {
  release?: string;
  name?: string;
  stores?: string[];
  regions?: string[];
  tags?: string[];
  kinds?: string[];
  models?: string[];
  things?: string[];
  current?: string;
  canary?: string;
  phases?: string;
  'after-success'?: string;
  rate?: string;
  bandwidth?: string;
  'abort-on'?: string;
  'abort-threshold'?: string;
  'abort-min'?: string;
  'retries-failed'?: string;
  'retries-timed-out'?: string;
  'timeout-minutes'?: string;
  'health-timeout'?: string;
  'trial-boots'?: string;
  'start-at'?: string;
  'no-windows'?: boolean;
  'allow-downgrade'?: boolean;
}

export const CREATE_OPTIONS = {
  release: { type: 'string' },
  name: { type: 'string' },
  stores: { type: 'string', multiple: true },
  regions: { type: 'string', multiple: true },
  tags: { type: 'string', multiple: true },
  kinds: { type: 'string', multiple: true },
  models: { type: 'string', multiple: true },
  things: { type: 'string', multiple: true },
  current: { type: 'string' },
  canary: { type: 'string' },
  phases: { type: 'string' },
  'after-success': { type: 'string' },
  rate: { type: 'string' },
  bandwidth: { type: 'string' },
  'abort-on': { type: 'string' },
  'abort-threshold': { type: 'string' },
  'abort-min': { type: 'string' },
  'retries-failed': { type: 'string' },
  'retries-timed-out': { type: 'string' },
  'timeout-minutes': { type: 'string' },
  'health-timeout': { type: 'string' },
  'trial-boots': { type: 'string' },
  'start-at': { type: 'string' },
  'no-windows': { type: 'boolean', default: false },
  'allow-downgrade': { type: 'boolean', default: false },
} as const;

/** When `--abort-min` is not given: this many finished devices, or the whole target when it is smaller. */
export const DEFAULT_ABORT_MIN = 5;

/**
 * The spec the options describe. `--phases 10,50,100` are cumulative marks (reach 10 %, then 50 %, then all), sent
 * as the API's per-phase percentages (10, 40, 50); `--canary N` puts a phase of N devices first. Every phase after
 * the first waits for `--after-success` % of the one before. Marks that pass 100 are sent as they are: the fleet
 * answers ROLLOUT_INVALID, as for any other client.
 */
export function specFromOptions(values: CreateOptions, releaseId: string, abortMin: number): RolloutSpec {
  const phases: RolloutPhaseSpec[] = [];
  const afterSuccess = integerOption(values['after-success'], '--after-success', 1) ?? 95;
  if (afterSuccess > 100) throw usageError('--after-success is a percentage: 1 to 100');
  const next = (): RolloutPhaseSpec['start'] =>
    phases.length === 0 ? { kind: 'immediately' } : { kind: 'after-success', successPercent: afterSuccess };
  const canary = integerOption(values.canary, '--canary', 1);
  if (canary !== undefined) phases.push({ name: 'canary', devices: canary, start: next() });
  let reached = 0;
  for (const mark of (values.phases ?? '100').split(',').map((m) => m.trim())) {
    const value = Number(mark);
    if (mark === '' || !Number.isFinite(value) || value <= reached) {
      throw usageError(
        `--phases are cumulative percentages, each above the one before (10,50,100), not '${values.phases}'`,
      );
    }
    phases.push({ name: `${mark} %`, percent: round(value - reached), start: next() });
    reached = value;
  }
  const kinds = listOption(values.kinds);
  for (const kind of kinds ?? []) {
    if (!(DEVICE_KINDS as readonly string[]).includes(kind))
      throw usageError(`--kinds: one of ${DEVICE_KINDS.join(', ')}`);
  }
  const failureTypes = (listOption(values['abort-on'] ? [values['abort-on']] : undefined) ?? [
    'FAILED',
    'REJECTED',
    'TIMED_OUT',
  ]) as JobFailureType[];
  for (const type of failureTypes) {
    if (!JOB_FAILURE_TYPES.includes(type))
      throw usageError(`--abort-on: one or more of ${JOB_FAILURE_TYPES.join(',')}`);
  }
  const startAt = values['start-at'] === undefined ? undefined : Date.parse(values['start-at']);
  if (Number.isNaN(startAt)) throw usageError(`--start-at must be a time like 2027-01-15T02:00+08:00`);
  const threshold = values['abort-threshold'] === undefined ? 20 : Number(values['abort-threshold']);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
    throw usageError('--abort-threshold is a percentage: 0 to 100');
  }
  const targets: RolloutSpec['targets'] = {
    ...optional('storeIds', listOption(values.stores)),
    ...optional('regions', listOption(values.regions)),
    ...optional('tags', listOption(values.tags)),
    ...optional('kinds', kinds as DeviceKind[] | undefined),
    ...optional('hardwareModels', listOption(values.models)),
    ...optional('thingNames', listOption(values.things)),
    ...(values.current !== undefined ? { currentVersions: values.current } : {}),
  };
  return {
    releaseId,
    ...(values.name !== undefined ? { name: values.name } : {}),
    targets,
    phases,
    ratePerMinute: integerOption(values.rate, '--rate', 1) ?? null,
    storeBandwidthKbps: integerOption(values.bandwidth, '--bandwidth', 64) ?? null,
    abort: {
      failureTypes: [...new Set(failureTypes)],
      thresholdPercent: threshold,
      minFinished: integerOption(values['abort-min'], '--abort-min', 1) ?? abortMin,
    },
    retries: {
      FAILED: integerOption(values['retries-failed'], '--retries-failed') ?? 0,
      TIMED_OUT: integerOption(values['retries-timed-out'], '--retries-timed-out') ?? 0,
    },
    inProgressTimeoutMinutes: integerOption(values['timeout-minutes'], '--timeout-minutes', 1) ?? 60,
    useMaintenanceWindows: !values['no-windows'],
    allowDowngrade: Boolean(values['allow-downgrade']),
    healthCheckTimeoutSeconds: integerOption(values['health-timeout'], '--health-timeout', 10) ?? 300,
    maxTrialBoots: integerOption(values['trial-boots'], '--trial-boots', 1) ?? 3,
    ...(startAt !== undefined ? { startAt } : {}),
  };
}

/** `--release` as an id, or NAME@VERSION looked up in the release list. */
export async function resolveRelease(ctx: CliContext, release: string | undefined): Promise<string> {
  if (!release) throw usageError('missing --release ID|NAME@VERSION', 'see `fleetctl rollouts --help`');
  const at = release.lastIndexOf('@');
  if (at <= 0) return release;
  const name = release.slice(0, at);
  const version = release.slice(at + 1);
  const page = await ctx.api().get<ReleasePage>('/api/releases', { name, limit: 500 });
  const found = page.items.find((r) => r.version === version);
  if (!found) throw new CliError(EXIT.failed, 'RELEASE_NOT_FOUND', `no release ${name}@${version}`);
  return found.id;
}

function optional<K extends string, V>(key: K, value: V[] | undefined): Partial<Record<K, V[]>> {
  return value && value.length > 0 ? ({ [key]: value } as Record<K, V[]>) : {};
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
