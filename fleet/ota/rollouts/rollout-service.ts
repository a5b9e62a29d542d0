import { randomBytes } from 'node:crypto';
import { windowProblems } from '../../../ota/rollout/maintenance-windows.ts';
import { planRollout, type RolloutPlan } from '../../../ota/rollout/plan.ts';
import type { Clock } from '../../../platform/clock.ts';
import type {
  DeviceOta,
  MaintenanceWindow,
  Rollout,
  RolloutDevicePage,
  RolloutDeviceStatus,
  RolloutPage,
  RolloutPreview,
  RolloutSpec,
  RolloutState,
} from '../../../protocol/api/rollouts.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import { deviceOtaView, ReportedOta } from './device-ota-view.ts';
import type { JobsPort, OtaShadowReader, RolloutInventory, RolloutRelease, RolloutReleases } from './ports.ts';
import type { RolloutActor, RolloutEngine } from './rollout-engine.ts';
import type { RolloutDeviceRecord, RolloutRecord, RolloutRepository } from './rollout-repository.ts';
import { rolloutDeviceView, rolloutView } from './rollout-views.ts';
import type { MaintenanceWindowRepository, PenaltyBoxRepository } from './store-ota-repository.ts';

/** Who asks, and which stores they may see (null: the whole chain). */
export interface RolloutViewer extends RolloutActor {
  storeIds: ReadonlySet<string> | null;
}

export interface RolloutServiceDeps {
  engine: RolloutEngine;
  repository: RolloutRepository;
  windows: MaintenanceWindowRepository;
  penalties: PenaltyBoxRepository;
  writer: DatabaseWriter;
  jobs: JobsPort;
  inventory: RolloutInventory;
  releases: RolloutReleases;
  otaShadow: OtaShadowReader;
  /** A store's zone, or undefined for an unknown store. */
  timeZoneOf: (storeId: string) => string | undefined;
  clock: Clock;
  /** Rollout ids; random by default. */
  newId?: () => string;
}

/** The job of rollout `id`: one AWS IoT job per rollout. */
export function rolloutJobId(rolloutId: string): string {
  return `ota-${rolloutId}`;
}

/** Device history entries on a device's page. */
const HISTORY_LIMIT = 20;

/**
 * OTA rollouts as the API offers them: preview, create, read (scoped: a store manager sees the rollouts touching
 * their stores, and only their stores' devices in them), pause, resume, cancel, abort, retry one device, the stores'
 * maintenance windows and a device's OTA view. The rules are `ota/rollout/`'s; running rollouts are the engine's.
 */
export class RolloutService {
  private readonly reported = new ReportedOta();

  constructor(private readonly deps: RolloutServiceDeps) {}

  /** What the spec would reach, and every problem that would refuse it (RELEASE_NOT_FOUND when there is no release). */
  preview(spec: RolloutSpec): RolloutPreview {
    const release = this.release(spec.releaseId);
    const plan = this.plan(spec, release, 'preview');
    const problems = [...plan.problems];
    if (!release.signatureOk) problems.unshift(signatureProblem(release.id));
    if (onlyDowngrades(spec, plan)) problems.unshift(downgradeProblem(plan));
    return {
      devices: plan.devices.length,
      perPhase: plan.perPhase,
      byStore: plan.byStore,
      excluded: plan.excludedByReason,
      problems,
    };
  }

  /**
   * Plans the rollout, makes its AWS IoT job and stores it; the engine then runs it. Refused, with nothing made:
   * RELEASE_NOT_FOUND, RELEASE_SIGNATURE_INVALID (a release whose signatures the fleet no longer accepts),
   * ROLLOUT_DOWNGRADE (every device it could reach would go down a version and the spec does not allow it),
   * ROLLOUT_INVALID with every problem.
   */
  async create(spec: RolloutSpec, actor: RolloutActor): Promise<Rollout> {
    const { clock, jobs, releases, engine } = this.deps;
    const release = this.release(spec.releaseId);
    if (!release.signatureOk) throw new FleetError('RELEASE_SIGNATURE_INVALID', signatureProblem(release.id));
    const id = this.deps.newId?.() ?? `ro-${randomBytes(8).toString('hex')}`;
    const plan = this.plan(spec, release, id);
    if (onlyDowngrades(spec, plan)) throw new FleetError('ROLLOUT_DOWNGRADE', downgradeProblem(plan));
    if (plan.problems.length > 0) {
      throw new FleetError('ROLLOUT_INVALID', plan.problems.join('; '), plan.problems);
    }
    const now = clock.now();
    const document = releases.jobDocument(release.id, id, {
      allowDowngrade: spec.allowDowngrade,
      healthCheckTimeoutSeconds: spec.healthCheckTimeoutSeconds,
      maxTrialBoots: spec.maxTrialBoots,
    });
    const jobId = rolloutJobId(id);
    jobs.createJob({
      jobId,
      document,
      description: `${release.manifest.name}@${release.manifest.version}: ${spec.name ?? id}`,
      inProgressTimeoutMinutes: spec.inProgressTimeoutMinutes,
    });
    const record: RolloutRecord = {
      id,
      name: spec.name ?? `${release.manifest.name} ${release.manifest.version}`,
      releaseId: release.id,
      component: release.manifest.component,
      releaseName: release.manifest.name,
      version: release.manifest.version,
      jobId,
      state: spec.startAt && spec.startAt > now ? 'scheduled' : 'running',
      stateReason: null,
      spec,
      storeIds: plan.byStore.map((s) => s.storeId),
      phaseStartedAt: spec.phases.map(() => null),
      createdBy: actor.username,
      createdAt: now,
      updatedAt: now,
    };
    const devices: RolloutDeviceRecord[] = plan.devices.map(({ device, phase, position }) => ({
      rolloutId: id,
      thingName: device.thingName,
      storeId: device.storeId,
      phase,
      position,
      status: 'PENDING',
      step: null,
      reason: null,
      message: null,
      logs: null,
      progress: null,
      attempts: 0,
      retriesFailed: 0,
      retriesTimedOut: 0,
      executionNumber: null,
      queuedAt: null,
      updatedAt: null,
    }));
    try {
      await engine.add(record, devices);
    } catch (err) {
      // Nothing was queued on it: a job without a rollout would only be noise in the jobs list.
      jobs.cancelJob(jobId, { force: false, reasonCode: 'ROLLOUT_NOT_STORED' });
      throw err;
    }
    return this.viewOf(record, null);
  }

  list(
    viewer: RolloutViewer,
    query: { state?: RolloutState; storeId?: string; releaseId?: string; limit: number; offset: number },
  ): RolloutPage {
    const page = this.deps.repository.list({ ...query, scope: scopeOf(viewer) });
    return { items: page.items.map((r) => this.viewOf(r, viewer.storeIds)), total: page.total };
  }

  get(viewer: RolloutViewer, id: string): Rollout {
    return this.viewOf(this.visible(viewer, id), viewer.storeIds);
  }

  devices(
    viewer: RolloutViewer,
    id: string,
    query: { phase?: number; status?: RolloutDeviceStatus; limit: number; offset: number },
  ): RolloutDevicePage {
    this.visible(viewer, id);
    const active = this.deps.engine.active(id);
    if (!active) {
      const page = this.deps.repository.listDevices(id, { ...query, scope: scopeOf(viewer) });
      return { items: page.items.map(rolloutDeviceView), total: page.total };
    }
    // The engine's copy is ahead of the database by the writes still in this turn's group commit.
    const scope = viewer.storeIds;
    const matching = [...active.devices.values()]
      .filter(
        (d) =>
          (scope === null || (d.storeId !== null && scope.has(d.storeId))) &&
          (query.phase === undefined || d.phase === query.phase) &&
          (query.status === undefined || d.status === query.status),
      )
      .sort((a, b) => a.position - b.position);
    return {
      items: matching.slice(query.offset, query.offset + query.limit).map(rolloutDeviceView),
      total: matching.length,
    };
  }

  async pause(viewer: RolloutViewer, id: string, reason?: string): Promise<Rollout> {
    this.visible(viewer, id);
    return this.deps.engine.pause(id, viewer, reason);
  }

  async resume(viewer: RolloutViewer, id: string, reason?: string): Promise<Rollout> {
    this.visible(viewer, id);
    return this.deps.engine.resume(id, viewer, reason);
  }

  async abort(viewer: RolloutViewer, id: string, reason?: string): Promise<Rollout> {
    this.visible(viewer, id);
    return this.deps.engine.abort(id, viewer, reason);
  }

  async cancel(viewer: RolloutViewer, id: string, reason?: string): Promise<Rollout> {
    this.visible(viewer, id);
    return this.deps.engine.cancel(id, viewer, reason);
  }

  /** A device outside the viewer's stores answers as one not in the rollout. */
  async retryDevice(viewer: RolloutViewer, id: string, thingName: string) {
    this.visible(viewer, id);
    const stored = this.deps.repository.device(id, thingName);
    if (!stored || (viewer.storeIds !== null && (stored.storeId === null || !viewer.storeIds.has(stored.storeId)))) {
      throw new FleetError('THING_NOT_FOUND', `${thingName} is not in rollout ${id}`);
    }
    return rolloutDeviceView(await this.deps.engine.retryDevice(id, thingName, viewer));
  }

  windows(storeId: string): MaintenanceWindow[] {
    return this.deps.windows.get(storeId);
  }

  /** Replaces a store's windows; ROLLOUT_INVALID lists every problem (nothing is stored then). */
  async putWindows(storeId: string, windows: MaintenanceWindow[], actor: RolloutActor): Promise<MaintenanceWindow[]> {
    const zone = this.deps.timeZoneOf(storeId);
    if (zone === undefined) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    const problems = windows.flatMap((w, i) => windowProblems(w, zone, `windows[${i}]`));
    if (problems.length > 0) throw new FleetError('ROLLOUT_INVALID', problems.join('; '), problems);
    const now = this.deps.clock.now();
    await this.deps.writer.write('ota.windows', () => this.deps.windows.put(storeId, windows, actor.username, now));
    this.deps.engine.windowsChanged(storeId, windows);
    return windows;
  }

  /** A device's slots (its named shadow `ota`, when it reports a sound one), penalty box and update history. */
  deviceOta(thingName: string): DeviceOta {
    const { otaShadow, penalties, repository, engine, clock } = this.deps;
    return deviceOtaView(thingName, {
      reported: this.reported.read(otaShadow(thingName)),
      penaltyBox: penalties.state(thingName, clock.now()).boxed,
      history: repository.history(thingName, HISTORY_LIMIT),
      live: (rolloutId) => engine.active(rolloutId)?.devices.get(thingName),
    });
  }

  /** Rollout ids of a release, newest first (the release detail's `rolloutIds`). */
  rolloutIdsOf(releaseId: string): string[] {
    return this.deps.repository.idsOfRelease(releaseId);
  }

  /** Whether an unfinished rollout ships the release (the release store refuses to delete it: RELEASE_IN_USE). */
  releaseInUse(releaseId: string): boolean {
    return this.deps.repository.releaseInUse(releaseId);
  }

  private release(releaseId: string): RolloutRelease {
    const release = this.deps.releases.get(releaseId);
    if (!release) throw new FleetError('RELEASE_NOT_FOUND', `no release '${releaseId}'`);
    return release;
  }

  private plan(spec: RolloutSpec, release: RolloutRelease, seed: string): RolloutPlan {
    const { inventory, penalties, repository, windows, clock } = this.deps;
    const all = windows.all();
    return planRollout(spec, inventory.list(), release.manifest, {
      seed,
      penaltyBox: penalties.boxed(clock.now()),
      busy: repository.busyThings(release.manifest.component),
      windowsOf: (storeId) => all.get(storeId),
    });
  }

  /** The rollout if the viewer may see it: one touching their stores. Otherwise as unknown. */
  private visible(viewer: RolloutViewer, id: string): RolloutRecord {
    const record = this.deps.engine.active(id)?.record ?? this.deps.repository.get(id);
    const scope = viewer.storeIds;
    if (!record || (scope !== null && !record.storeIds.some((s) => scope.has(s)))) {
      throw new FleetError('ROLLOUT_NOT_FOUND', `no rollout '${id}'`);
    }
    return record;
  }

  /** Counts are the whole rollout's; the stores listed are those the viewer may see. */
  private viewOf(record: RolloutRecord, scope: ReadonlySet<string> | null): Rollout {
    const active = this.deps.engine.active(record.id);
    const view = active
      ? rolloutView(active.record, active.phaseCounts)
      : rolloutView(record, this.deps.repository.phaseCounts(record.id, record.spec.phases.length));
    return scope === null ? view : { ...view, storeIds: view.storeIds.filter((s) => scope.has(s)) };
  }
}

function scopeOf(viewer: RolloutViewer): string[] | null {
  return viewer.storeIds === null ? null : [...viewer.storeIds];
}

function onlyDowngrades(spec: RolloutSpec, plan: RolloutPlan): boolean {
  return !spec.allowDowngrade && plan.devices.length === 0 && plan.excluded.some((e) => e.reason === 'downgrade');
}

function downgradeProblem(plan: RolloutPlan): string {
  const n = plan.excluded.filter((e) => e.reason === 'downgrade').length;
  return `the release is older than what ${n} targeted device(s) run and the rollout does not allow a downgrade (allowDowngrade)`;
}

function signatureProblem(releaseId: string): string {
  return `release ${releaseId} is not signed by a key the fleet trusts: it cannot be rolled out`;
}
