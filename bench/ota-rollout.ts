/**
 * The rollout engine alone (issue 10 item 12: a rollout to 1,000 devices with no rate limit notifies all of them in
 * ≤ 5 s; the engine handles ≥ 500 execution updates per second). The same run through the real jobs service and
 * broker is the integrator's, once the OTA parts are merged; here the jobs service is a lean in-memory `JobsPort`
 * (executions in a Map, listeners called synchronously, as the real one calls them) so that what is measured is the
 * engine: `RolloutService.create` → plan → the rollout stored → the first phase queued, and then every execution
 * change followed into `ota_rollout_devices` (the turn's group commit) with the counts kept and the live events
 * throttled, on a real SQLite file through the fleet's `DatabaseWriter`.
 *
 * Updates: each device reports 8 times (IN_PROGRESS with step downloading at 0, 30, 60 and 90 %, installing,
 * rebooting, health-check, then SUCCEEDED), devices interleaved, 100 updates per event-loop turn (a busy broker hands
 * the jobs service a burst of messages per turn). Measured until the writer has committed them all.
 *
 * Baseline, same run and same batches: the same updates applied to a bare SQLite table of the same shape (one
 * prepared UPDATE each, one transaction per 100), nothing else: what persisting alone costs.
 *
 *   npx tsx bench/ota-rollout.ts [--quick]
 */

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FleetEvents } from '../fleet/fleet-events.ts';
import type { InventoryDevice, JobExecution, JobsPort } from '../fleet/ota/rollouts/ports.ts';
import { RolloutEngine } from '../fleet/ota/rollouts/rollout-engine.ts';
import { RolloutLiveEvents } from '../fleet/ota/rollouts/rollout-live-events.ts';
import { RolloutRepository } from '../fleet/ota/rollouts/rollout-repository.ts';
import { RolloutService } from '../fleet/ota/rollouts/rollout-service.ts';
import { MaintenanceWindowRepository, PenaltyBoxRepository } from '../fleet/ota/rollouts/store-ota-repository.ts';
import { openDatabase } from '../fleet/storage/database.ts';
import { DatabaseWriter } from '../fleet/storage/database-writer.ts';
import { buildJobDocument } from '../ota/release/job-document.ts';
import { generateSigningKey, loadPrivateKey, signManifest } from '../ota/release/signing.ts';
import { DEFAULT_PENALTY_BOX } from '../ota/rollout/penalty-box.ts';
import { systemClock } from '../platform/clock.ts';
import { EventBus } from '../platform/event-bus.ts';
import { silentLogger } from '../platform/log.ts';
import type { JobExecutionStatus } from '../protocol/jobs-status.ts';
import { ARTIFACT_MEDIA_TYPES, type ReleaseManifest } from '../protocol/ota/release.ts';
import { type BenchOptions, fmt, markdownTable, median, runWhenMain, tempDir, waitUntil } from './lib/common.ts';

const UPDATES_PER_TURN = 100;
/** An update agent's reports for one job, as the bench devices send them (also bench/ota-rollout-fleet.ts's). */
export const STEPS: { status: JobExecutionStatus; details: Record<string, string> }[] = [
  { status: 'IN_PROGRESS', details: { step: 'downloading', progress: '0' } },
  { status: 'IN_PROGRESS', details: { step: 'downloading', progress: '30' } },
  { status: 'IN_PROGRESS', details: { step: 'downloading', progress: '60' } },
  { status: 'IN_PROGRESS', details: { step: 'downloading', progress: '90' } },
  { status: 'IN_PROGRESS', details: { step: 'installing', progress: '100' } },
  { status: 'IN_PROGRESS', details: { step: 'rebooting' } },
  { status: 'IN_PROGRESS', details: { step: 'health-check' } },
  { status: 'SUCCEEDED', details: { step: 'committed' } },
];

/** The jobs service reduced to what the engine calls, as fast as a Map allows. */
class BenchJobs implements JobsPort {
  readonly executions = new Map<string, JobExecution>();
  queueCalls = 0;
  private readonly listeners = new Set<(e: JobExecution, previous: JobExecutionStatus | null) => void>();

  createJob(): void {}

  queueExecutions(jobId: string, thingNames: string[]): JobExecution[] {
    this.queueCalls++;
    const now = Date.now();
    const made = thingNames.map((thingName) => {
      const e: JobExecution = {
        jobId,
        thingName,
        executionNumber: (this.executions.get(thingName)?.executionNumber ?? 0) + 1,
        status: 'QUEUED',
        statusDetails: {},
        versionNumber: 1,
        queuedAt: now,
        startedAt: null,
        lastUpdatedAt: now,
      };
      this.executions.set(thingName, e);
      return e;
    });
    for (const e of made) this.emit(e, null);
    return made;
  }

  update(thingName: string, status: JobExecutionStatus, statusDetails: Record<string, string>): void {
    const e = this.executions.get(thingName);
    if (!e) throw new Error(`no execution for ${thingName}`);
    const previous = e.status;
    e.status = status;
    e.statusDetails = statusDetails;
    e.versionNumber += 1;
    e.lastUpdatedAt = Date.now();
    this.emit(e, previous);
  }

  cancelExecution(): undefined {
    return undefined;
  }
  cancelJob(): number {
    return 0;
  }
  getExecution(_jobId: string, thingName: string): JobExecution | undefined {
    return this.executions.get(thingName);
  }
  listExecutions(): JobExecution[] {
    return [...this.executions.values()];
  }
  onExecutionChange(listener: (e: JobExecution, previous: JobExecutionStatus | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: JobExecution, previous: JobExecutionStatus | null): void {
    for (const listener of this.listeners) listener({ ...e }, previous);
  }
}

function inventory(devices: number): InventoryDevice[] {
  return Array.from({ length: devices }, (_, i) => ({
    thingName: `cart-${String(i).padStart(4, '0')}`,
    kind: 'cart' as const,
    hardwareModel: 'SC-200',
    storeId: `store-${String(i % 100).padStart(3, '0')}`,
    region: 'east',
    tags: [],
    timeZone: 'Asia/Shanghai',
    installed: { software: { name: 'cart-runtime', version: '1.0.0', sha256: 'a'.repeat(64) } },
  }));
}

function release(): {
  manifest: ReleaseManifest;
  document: (rolloutId: string) => ReturnType<typeof buildJobDocument>;
} {
  const artifact = Buffer.from('cart runtime 1.1.0');
  const manifest: ReleaseManifest = {
    schema: 1,
    component: 'software',
    name: 'cart-runtime',
    version: '1.1.0',
    deviceKinds: ['cart'],
    hardwareModels: [],
    upgradeFrom: '>=1.0.0 <2.0.0',
    artifact: {
      sha256: createHash('sha256').update(artifact).digest('hex'),
      size: artifact.length,
      mediaType: ARTIFACT_MEDIA_TYPES.software,
    },
    createdAt: '2027-01-15T08:00:00.000Z',
  };
  const key = loadPrivateKey(generateSigningKey().privateKeyPem);
  const signed = { manifest, signatures: [signManifest(manifest, key)] };
  return {
    manifest,
    document: (rolloutId) =>
      buildJobDocument(signed, [], {
        rolloutId,
        allowDowngrade: false,
        healthCheckTimeoutSeconds: 120,
        maxTrialBoots: 3,
      }),
  };
}

interface EngineRun {
  createMs: number;
  queueCalls: number;
  queued: number;
  updates: number;
  updateMs: number;
  liveRolloutEvents: number;
  liveDeviceEvents: number;
}

async function engineRun(devices: number): Promise<EngineRun> {
  const dir = tempDir('cartfleet-bench-rollout-');
  const db = openDatabase(dir.path, silentLogger());
  const writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 250 }, silentLogger(), systemClock);
  const bus = new EventBus<FleetEvents>(silentLogger());
  let liveRolloutEvents = 0;
  let liveDeviceEvents = 0;
  bus.on('rollout.changed', () => liveRolloutEvents++);
  bus.on('rollout.device', () => liveDeviceEvents++);
  const jobs = new BenchJobs();
  const repository = new RolloutRepository(db);
  const windows = new MaintenanceWindowRepository(db);
  const penalties = new PenaltyBoxRepository(db, DEFAULT_PENALTY_BOX);
  const live = new RolloutLiveEvents(bus, systemClock, 1_000);
  const engine = new RolloutEngine({
    repository,
    windows,
    penalties,
    writer,
    jobs,
    timeZoneOf: () => 'Asia/Shanghai',
    live,
    log: silentLogger(),
    clock: systemClock,
  });
  const r = release();
  const fleetDevices = inventory(devices);
  const service = new RolloutService({
    engine,
    repository,
    windows,
    penalties,
    writer,
    jobs,
    inventory: { list: () => fleetDevices },
    releases: {
      get: (id) => (id === 'rel-110' ? { id, manifest: r.manifest, signatureOk: true } : undefined),
      jobDocument: (_id, rolloutId) => r.document(rolloutId),
    },
    otaShadow: () => null,
    timeZoneOf: () => 'Asia/Shanghai',
    clock: systemClock,
  });
  engine.start();
  try {
    const started = performance.now();
    const rollout = await service.create(
      {
        releaseId: 'rel-110',
        targets: {},
        phases: [{ name: 'all', percent: 100, start: { kind: 'immediately' } }],
        ratePerMinute: null,
        storeBandwidthKbps: null,
        abort: { failureTypes: ['FAILED', 'TIMED_OUT'], thresholdPercent: 20, minFinished: 10 },
        retries: { FAILED: 0, TIMED_OUT: 0 },
        inProgressTimeoutMinutes: 60,
        useMaintenanceWindows: false,
        allowDowngrade: false,
        healthCheckTimeoutSeconds: 120,
        maxTrialBoots: 3,
      },
      { username: 'bench' },
    );
    const createMs = performance.now() - started;
    const queued = [...jobs.executions.values()].filter((e) => e.status === 'QUEUED').length;
    const things = fleetDevices.map((d) => d.thingName);
    const written = writer.stats().written;
    const updateStarted = performance.now();
    let n = 0;
    for (const step of STEPS) {
      for (const thing of things) {
        jobs.update(thing, step.status, step.details);
        if (++n % UPDATES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const done = await waitUntil(
      () => writer.stats().written - written >= n && engine.active(rollout.id) === undefined,
      60_000,
      1,
    );
    if (!done) throw new Error('the engine did not finish the updates in 60 s');
    const updateMs = performance.now() - updateStarted;
    const stored = db.prepare("SELECT COUNT(*) AS n FROM ota_rollout_devices WHERE status = 'SUCCEEDED'").get() as {
      n: number;
    };
    if (stored.n !== devices) throw new Error(`${stored.n} devices stored as SUCCEEDED, not ${devices}`);
    // Stopping sends what the live throttle still holds: the events a client would have had by the next second.
    engine.stop();
    return {
      createMs,
      queueCalls: jobs.queueCalls,
      queued,
      updates: n,
      updateMs,
      liveRolloutEvents,
      liveDeviceEvents,
    };
  } finally {
    engine.stop();
    writer.stop();
    db.close();
    dir.cleanup();
  }
}

/** The same updates, persisted by hand: one prepared UPDATE each, a transaction per turn's batch. */
async function baselineRun(devices: number): Promise<{ updates: number; updateMs: number }> {
  const dir = tempDir('cartfleet-bench-rollout-base-');
  const db = openDatabase(dir.path, silentLogger());
  try {
    db.exec(`CREATE TABLE bare_devices (rollout_id TEXT NOT NULL, thing_name TEXT NOT NULL, status TEXT NOT NULL,
      step TEXT, progress INTEGER, updated_at INTEGER, PRIMARY KEY (rollout_id, thing_name))`);
    const insert = db.prepare("INSERT INTO bare_devices (rollout_id, thing_name, status) VALUES ('ro-1', ?, 'QUEUED')");
    const things = inventory(devices).map((d) => d.thingName);
    db.transaction(() => {
      for (const t of things) insert.run(t);
    })();
    const update = db.prepare(
      "UPDATE bare_devices SET status = ?, step = ?, progress = ?, updated_at = ? WHERE rollout_id = 'ro-1' AND thing_name = ?",
    );
    const batch: [string, string | null, number | null, number, string][] = [];
    const flush = db.transaction(() => {
      for (const row of batch) update.run(...row);
    });
    const started = performance.now();
    let n = 0;
    for (const step of STEPS) {
      for (const thing of things) {
        const progress = step.details.progress === undefined ? null : Number(step.details.progress);
        batch.push([step.status, step.details.step ?? null, progress, Date.now(), thing]);
        if (++n % UPDATES_PER_TURN === 0) {
          flush();
          batch.length = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    flush();
    return { updates: n, updateMs: performance.now() - started };
  } finally {
    db.close();
    dir.cleanup();
  }
}

export async function run(options: BenchOptions) {
  const devices = options.quick ? 200 : 1000;
  const rounds = options.quick ? 1 : 3;
  const engine: EngineRun[] = [];
  const bare: { updates: number; updateMs: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    engine.push(await engineRun(devices));
    bare.push(await baselineRun(devices));
  }
  const createMs = median(engine.map((e) => e.createMs));
  const engineRate = median(engine.map((e) => e.updates / (e.updateMs / 1000)));
  const bareRate = median(bare.map((b) => b.updates / (b.updateMs / 1000)));
  const e = engine[0]!;
  const markdown = [
    `## OTA rollout engine (${devices} devices, ${e.updates} execution updates, median of ${rounds})`,
    '',
    markdownTable(
      ['measure', 'value', 'target'],
      [
        ['create → every device queued (plan, store, queue)', `${fmt(createMs, 0)} ms`, '≤ 5,000 ms'],
        ['queueExecutions calls for the first phase', e.queueCalls, '1 (no rate limit)'],
        ['devices queued at once', e.queued, String(devices)],
        ['execution updates absorbed by the engine', `${fmt(engineRate, 0)} /s`, '≥ 500 /s'],
        ['baseline: the same updates to a bare SQLite table', `${fmt(bareRate, 0)} /s`, ''],
        ['engine / baseline', fmt(engineRate / bareRate, 2), ''],
        ['live `rollout` events sent', e.liveRolloutEvents, '≤ 1 a second, + the last'],
        [
          'live `rollout-device` events sent',
          e.liveDeviceEvents,
          `${devices}–${e.updates} (latest per device per second)`,
        ],
      ],
    ),
  ].join('\n');
  return { markdown, devices, createMs, engineUpdatesPerSecond: engineRate, bareUpdatesPerSecond: bareRate };
}

await runWhenMain(import.meta.url, run);
