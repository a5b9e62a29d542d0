import type { RolloutSpec } from '../../protocol/api/rollouts.ts';

/** A sound rollout spec for tests: a canary of 2, then the rest after 90 % success; no rate limit, no windows. */
export function rolloutSpec(overrides: Partial<RolloutSpec> = {}): RolloutSpec {
  return {
    releaseId: 'rel-1',
    name: 'cart runtime 1.1.0',
    targets: {},
    phases: [
      { name: 'canary', devices: 2, start: { kind: 'immediately' } },
      { name: 'rest', percent: 100, start: { kind: 'after-success', successPercent: 90 } },
    ],
    ratePerMinute: null,
    storeBandwidthKbps: null,
    abort: { failureTypes: ['FAILED', 'TIMED_OUT'], thresholdPercent: 20, minFinished: 2 },
    retries: { FAILED: 0, TIMED_OUT: 0 },
    inProgressTimeoutMinutes: 30,
    useMaintenanceWindows: false,
    allowDowngrade: false,
    healthCheckTimeoutSeconds: 120,
    maxTrialBoots: 3,
    ...overrides,
  };
}
