import type { Database } from '../storage/database.ts';
import type { Thing } from './registry-types.ts';
import type { ThingFilter, ThingRepository } from './thing-repository.ts';

/**
 * Every thing of the registry in memory, for reads on hot paths (the device list, live events, alert rules).
 * Measured (bench/api-device-list.ts, 10,000 things): reading and mapping the table took ~31 ms per request, 70 % of
 * the list's cost, on the thread that also runs the broker. SQLite triggers bump `registry_generation` on every
 * change to `things`, by this process or another (fleetctl local), so one indexed read (~µs) says when to reload.
 * Things handed out are frozen: a caller cannot change the directory by accident.
 */
export class ThingDirectory {
  private generation = -1;
  private all: readonly Thing[] = [];
  private byName = new Map<string, Thing>();
  private generationQuery: { get(): unknown } | undefined;

  constructor(
    private readonly db: Database,
    private readonly things: ThingRepository,
  ) {}

  get(thingName: string): Thing | undefined {
    this.refresh();
    return this.byName.get(thingName);
  }

  list(filter: ThingFilter = {}): Thing[] {
    this.refresh();
    const { kind, storeId, provisioning } = filter;
    if (!kind && !storeId && !provisioning) return [...this.all];
    return this.all.filter(
      (t) =>
        (!kind || t.kind === kind) &&
        (!storeId || t.storeId === storeId) &&
        (!provisioning || t.provisioning === provisioning),
    );
  }

  private refresh(): void {
    this.generationQuery ??= this.db.prepare('SELECT value FROM registry_generation WHERE id = 1').pluck();
    const generation = this.generationQuery.get() as number;
    if (generation === this.generation) return;
    const all = this.things.list().map((t) => Object.freeze({ ...t, tags: Object.freeze([...t.tags]) }) as Thing);
    this.all = all;
    this.byName = new Map(all.map((t) => [t.thingName, t]));
    this.generation = generation;
  }
}
