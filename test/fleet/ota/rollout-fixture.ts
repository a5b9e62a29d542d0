import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { RolloutEngine } from '../../../fleet/ota/rollouts/rollout-engine.ts';
import { RolloutLiveEvents } from '../../../fleet/ota/rollouts/rollout-live-events.ts';
import { RolloutRepository } from '../../../fleet/ota/rollouts/rollout-repository.ts';
import { RolloutService } from '../../../fleet/ota/rollouts/rollout-service.ts';
import { MaintenanceWindowRepository, PenaltyBoxRepository } from '../../../fleet/ota/rollouts/store-ota-repository.ts';
import { DEMO_CHAIN, seedDemoData } from '../../../fleet/registry/demo-seed.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { DEFAULT_PENALTY_BOX, type PenaltyBoxRule } from '../../../ota/rollout/penalty-box.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import type { Rollout, RolloutSpec } from '../../../protocol/api/rollouts.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { rolloutSpec } from '../../helpers/ota-rollout.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeJobs } from '../../mocks/fake-jobs.ts';
import { FakeInventory, FakeReleases, inventoryOf } from '../../mocks/fake-rollout-ports.ts';

/** The demo chain's two Shanghai stores, and one in New York for windows across DST. */
export const XUHUI = 'hf-shanghai-xuhui';
export const BINJIANG = 'hf-hangzhou-binjiang';
export const MANHATTAN = 'hf-new-york-soho';

/**
 * The rollout engine and service on a fresh SQLite file (real repositories and writer), with the jobs service,
 * inventory and release store faked (test/mocks/), on a FakeClock at 2027-01-15 04:00 UTC (12:00 in Shanghai).
 */
export class RolloutFixture {
  readonly dir = tempDir();
  readonly db: Database;
  readonly clock = new FakeClock(Date.parse('2027-01-15T04:00:00Z'));
  readonly writer: DatabaseWriter;
  readonly bus = new EventBus<FleetEvents>(silentLogger());
  readonly stores: StoreRepository;
  readonly repository: RolloutRepository;
  readonly windows: MaintenanceWindowRepository;
  readonly penalties: PenaltyBoxRepository;
  readonly jobs: FakeJobs;
  readonly inventory = new FakeInventory();
  readonly releases = new FakeReleases();
  readonly events: { rollouts: Rollout[]; devices: FleetEvents['rollout.device'][] } = { rollouts: [], devices: [] };
  engine!: RolloutEngine;
  service!: RolloutService;
  private nextId = 1;

  constructor(options: { penaltyBox?: PenaltyBoxRule; tickMs?: number } = {}) {
    this.db = openDatabase(this.dir.path, silentLogger());
    this.writer = new DatabaseWriter(this.db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), this.clock);
    this.stores = new StoreRepository(this.db);
    seedDemoData(this.stores);
    const xuhui = this.stores.getStore(XUHUI)!;
    this.stores.upsertStore({
      ...xuhui,
      id: MANHATTAN,
      chainId: DEMO_CHAIN.id,
      name: 'SoHo',
      region: 'us',
      timeZone: 'America/New_York',
    });
    this.repository = new RolloutRepository(this.db);
    this.windows = new MaintenanceWindowRepository(this.db);
    this.penalties = new PenaltyBoxRepository(this.db, options.penaltyBox ?? DEFAULT_PENALTY_BOX);
    this.jobs = new FakeJobs(this.clock);
    this.releases.add('rel-110');
    this.bus.on('rollout.changed', (e) => this.events.rollouts.push(e.rollout));
    this.bus.on('rollout.device', (e) => this.events.devices.push(e));
    this.build(options.tickMs ?? 5_000);
    this.engine.start();
  }

  /** `count` carts per store on cart-runtime 1.0.0 (release rel-110 is 1.1.0, upgrading from 1.x). */
  carts(stores: Record<string, number>): void {
    this.inventory.devices.push(...inventoryOf(stores));
  }

  async create(overrides: Partial<RolloutSpec> = {}): Promise<Rollout> {
    const rollout = await this.service.create(rolloutSpec({ releaseId: 'rel-110', ...overrides }), { username: 'hq' });
    await this.settle();
    return rollout;
  }

  rollout(id: string): Rollout {
    return this.service.get({ username: 'hq', storeIds: null }, id);
  }

  /** Lets the engine's follow-ups (pumps, aborts: microtasks) and the writer's group commits run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  /** The fleet restarting: the engine stops, and a new one starts on the same database and jobs service. */
  async restart(): Promise<void> {
    await this.settle();
    this.engine.stop();
    this.build(5_000);
    this.engine.start();
    await this.settle();
  }

  close(): void {
    this.engine.stop();
    this.writer.stop();
    this.db.close();
    this.dir.cleanup();
  }

  private build(tickMs: number): void {
    const timeZoneOf = (storeId: string) => this.stores.getStore(storeId)?.timeZone;
    this.engine = new RolloutEngine(
      {
        repository: this.repository,
        windows: this.windows,
        penalties: this.penalties,
        writer: this.writer,
        jobs: this.jobs,
        timeZoneOf,
        live: new RolloutLiveEvents(this.bus, this.clock, 1_000),
        log: silentLogger(),
        clock: this.clock,
      },
      { tickMs },
    );
    this.service = new RolloutService({
      engine: this.engine,
      repository: this.repository,
      windows: this.windows,
      penalties: this.penalties,
      writer: this.writer,
      jobs: this.jobs,
      inventory: this.inventory,
      releases: this.releases,
      otaShadow: () => null,
      timeZoneOf,
      clock: this.clock,
      newId: () => `ro-${this.nextId++}`,
    });
  }
}
