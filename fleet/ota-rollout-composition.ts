import type { Clock } from '../platform/clock.ts';
import type { EventBus } from '../platform/event-bus.ts';
import type { Logger } from '../platform/log.ts';
import { OTA_SHADOW } from '../protocol/ota/device-ota.ts';
import type { FleetConfig } from './config.ts';
import type { FleetEvents } from './fleet-events.ts';
import type { JobsPort, OtaShadowReader, RolloutInventory, RolloutReleases } from './ota/rollouts/ports.ts';
import { RegistryInventory } from './ota/rollouts/registry-inventory.ts';
import { RolloutEngine } from './ota/rollouts/rollout-engine.ts';
import { RolloutLiveEvents } from './ota/rollouts/rollout-live-events.ts';
import { RolloutRepository } from './ota/rollouts/rollout-repository.ts';
import { RolloutService } from './ota/rollouts/rollout-service.ts';
import { StoreBandwidth } from './ota/rollouts/store-bandwidth.ts';
import { MaintenanceWindowRepository, PenaltyBoxRepository } from './ota/rollouts/store-ota-repository.ts';
import type { DeviceRegistry } from './registry/device-registry.ts';
import type { StoreRepository } from './registry/store-repository.ts';
import type { ShadowService } from './shadow/shadow-service.ts';
import type { Database } from './storage/database.ts';
import type { DatabaseWriter } from './storage/database-writer.ts';

/** What the rollouts need from the other OTA parts: the release store (fleet/ota/releases), and the jobs service. */
export interface RolloutPorts {
  releases: RolloutReleases;
  /** Default: the fleet's own `JobsService`; tests play the devices through a fake one. */
  jobs?: JobsPort;
  /** Default: the registry's active devices with their stores and named shadows `ota`. */
  inventory?: RolloutInventory;
}

/** The rollout parts (issue 10), made together; `FleetServer` starts and stops them in order. */
export interface RolloutParts {
  engine: RolloutEngine;
  service: RolloutService;
  /** The per-store download cap, for the device download route (`throttle(thingName)`). */
  bandwidth: StoreBandwidth;
  repository: RolloutRepository;
}

export interface RolloutDeps {
  config: FleetConfig;
  log: Logger;
  clock: Clock;
  bus: EventBus<FleetEvents>;
  db: Database;
  writer: DatabaseWriter;
  stores: StoreRepository;
  registry: DeviceRegistry;
  shadows: ShadowService;
  jobs: JobsPort;
  ports: RolloutPorts;
}

export function composeRollouts(deps: RolloutDeps): RolloutParts {
  const { config, log, clock, bus, db, writer, stores, registry, shadows, ports } = deps;
  const jobs = ports.jobs ?? deps.jobs;
  const { penaltyBox } = config.rollouts;
  const repository = new RolloutRepository(db);
  const windows = new MaintenanceWindowRepository(db);
  const penalties = new PenaltyBoxRepository(db, {
    failures: penaltyBox.failures,
    windowMs: penaltyBox.windowHours * 3_600_000,
    statuses: ['FAILED', 'TIMED_OUT'],
  });
  const otaShadow: OtaShadowReader = (thingName) => shadows.find(thingName, OTA_SHADOW)?.state.reported ?? null;
  const timeZoneOf = (storeId: string) => stores.getStore(storeId)?.timeZone;
  const engine = new RolloutEngine(
    {
      repository,
      windows,
      penalties,
      writer,
      jobs,
      timeZoneOf,
      live: new RolloutLiveEvents(bus, clock, config.rollouts.liveThrottleMs),
      log: log.child({ component: 'rollouts' }),
      clock,
    },
    { tickMs: config.rollouts.tickMs },
  );
  const service = new RolloutService({
    engine,
    repository,
    windows,
    penalties,
    writer,
    jobs,
    inventory:
      ports.inventory ??
      new RegistryInventory(
        () => registry.listThings(),
        () => stores.listStores(),
        otaShadow,
      ),
    releases: ports.releases,
    otaShadow,
    timeZoneOf,
    clock,
  });
  const bandwidth = new StoreBandwidth((thingName) => engine.downloadCapOf(thingName), clock);
  return { engine, service, bandwidth, repository };
}
