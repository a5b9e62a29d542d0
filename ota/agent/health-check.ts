import { type Clock, TimeoutError, withTimeout } from '../../platform/clock.ts';
import { isFleetError } from '../../protocol/errors.ts';
import type { OtaComponent, OtaFailureReason, ReleaseManifest } from '../../protocol/ota/index.ts';
import type { ComponentHandler } from './component-handler.ts';
import type { JobsChannel } from './jobs-channel.ts';
import type { HealthProbe } from './ports.ts';

export type HealthVerdict = { ok: true } | { ok: false; reason: OtaFailureReason; message: string };

export interface HealthCheckInput {
  component: OtaComponent;
  handler: ComponentHandler;
  slotDir: string;
  manifest: ReleaseManifest;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * The health check of a slot on trial (issue 10 item 6), within the job's `healthCheckTimeoutSeconds` of this boot:
 * for software and config (either can break what talks to the fleet), contact with the fleet — connected and the
 * jobs service answering (else OTA_NO_CONTACT) — and the classic shadow in sync (else OTA_HEALTH_CHECK_TIMEOUT); for
 * every component the hardware's self-test and the handler's `selfTest` (a model's inference on reference inputs, a
 * bundle's own self-test script) (OTA_HEALTH_CHECK_FAILED, or OTA_HEALTH_CHECK_TIMEOUT when time runs out).
 */
export async function checkTrialHealth(
  input: HealthCheckInput,
  probe: HealthProbe,
  jobs: JobsChannel,
  clock: Clock,
): Promise<HealthVerdict> {
  const deadline = clock.now() + input.timeoutMs;
  const left = () => Math.max(0, deadline - clock.now());
  // A model or a gallery cannot break what talks to the fleet: their trial does not wait for contact.
  if (input.component !== 'model' && input.component !== 'gallery') {
    const contact = await waitUntil(
      () => probe.connected() && jobs.ready,
      left(),
      [probe.onChange.bind(probe), jobs.onReady.bind(jobs)],
      clock,
      input.signal,
    );
    if (!contact)
      return { ok: false, reason: 'OTA_NO_CONTACT', message: `no contact with the fleet within ${input.timeoutMs} ms` };
    const synced = await waitUntil(
      () => probe.shadowInSync(),
      left(),
      [probe.onChange.bind(probe)],
      clock,
      input.signal,
    );
    if (!synced)
      return { ok: false, reason: 'OTA_HEALTH_CHECK_TIMEOUT', message: 'the shadow did not get in sync in time' };
  }
  try {
    const hardware = await withTimeout(probe.hardwareSelfTest(), left(), clock);
    if (!hardware.ok)
      return { ok: false, reason: 'OTA_HEALTH_CHECK_FAILED', message: `hardware self-test: ${hardware.detail}` };
    const timeout = new AbortController();
    const onAbort = () => timeout.abort(input.signal.reason);
    input.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await withTimeout(input.handler.selfTest(input.slotDir, input.manifest, timeout.signal), left(), clock).catch(
        (err) => {
          if (err instanceof TimeoutError) timeout.abort(err);
          throw err;
        },
      );
    } finally {
      input.signal.removeEventListener('abort', onAbort);
    }
    return { ok: true };
  } catch (err) {
    if (input.signal.aborted) throw input.signal.reason;
    if (err instanceof TimeoutError)
      return {
        ok: false,
        reason: 'OTA_HEALTH_CHECK_TIMEOUT',
        message: `the self-test took over ${input.timeoutMs} ms`,
      };
    if (isFleetError(err) && (err.code === 'OTA_HEALTH_CHECK_TIMEOUT' || err.code === 'OTA_HEALTH_CHECK_FAILED'))
      return { ok: false, reason: err.code, message: err.message };
    return { ok: false, reason: 'OTA_HEALTH_CHECK_FAILED', message: (err as Error).message };
  }
}

/**
 * Resolves true as soon as `condition` holds (checked now and on each listed change), false when `ms` pass first.
 * Rejects with the signal's reason when aborted.
 */
export function waitUntil(
  condition: () => boolean,
  ms: number,
  changes: ((listener: () => void) => () => void)[],
  clock: Clock,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (condition()) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (settle: () => void) => {
      clock.clearTimeout(timer);
      for (const off of offs) off();
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => done(() => reject(signal.reason));
    const timer = clock.setTimeout(() => done(() => resolve(condition())), ms);
    for (const subscribe of changes)
      offs.push(
        subscribe(() => {
          if (condition()) done(() => resolve(true));
        }),
      );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
