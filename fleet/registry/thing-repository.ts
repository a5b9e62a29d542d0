import { StatementCache } from '../../platform/statement-cache.ts';
import type { ProvisioningState } from '../../protocol/topics.ts';
import type { Database } from '../storage/database.ts';
import type { DeviceKind, Thing } from './registry-types.ts';

interface ThingRow {
  thing_name: string;
  kind: DeviceKind;
  hardware_model: string;
  store_id: string | null;
  zone_id: string | null;
  tags: string;
  software_version: string | null;
  provisioning: ProvisioningState;
  provisioning_template: string | null;
  created_at: number;
  updated_at: number;
}

export interface ThingFilter {
  kind?: DeviceKind;
  storeId?: string;
  provisioning?: ProvisioningState;
}

/** Things (devices) of the registry. */
export class ThingRepository {
  // A thing is looked up at every MQTT CONNECT and every device HTTPS request: prepared once, not per lookup.
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(
    thing: Omit<Thing, 'createdAt' | 'updatedAt' | 'provisioning' | 'provisioningTemplate'> &
      Partial<Pick<Thing, 'provisioning' | 'provisioningTemplate'>>,
  ): void {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO things (thing_name, kind, hardware_model, store_id, zone_id, tags, software_version, provisioning,
           provisioning_template, created_at, updated_at)
         VALUES (@thingName, @kind, @hardwareModel, @storeId, @zoneId, @tags, @softwareVersion, @provisioning,
           @provisioningTemplate, @now, @now)`,
      )
      .run({
        provisioning: 'active',
        provisioningTemplate: null,
        ...thing,
        tags: JSON.stringify(thing.tags),
        now,
      });
  }

  update(
    thingName: string,
    changes: Partial<Pick<Thing, 'zoneId' | 'softwareVersion' | 'tags' | 'storeId' | 'provisioning'>>,
  ): void {
    const current = this.get(thingName);
    if (!current) return;
    const next = { ...current, ...changes };
    this.db
      .prepare(
        `UPDATE things SET store_id = @storeId, zone_id = @zoneId, tags = @tags, software_version = @softwareVersion,
           provisioning = @provisioning, updated_at = @now WHERE thing_name = @thingName`,
      )
      .run({ ...next, tags: JSON.stringify(next.tags), now: Date.now() });
  }

  get(thingName: string): Thing | undefined {
    const row = this.statements.prepare('SELECT * FROM things WHERE thing_name = ?').get(thingName) as
      | ThingRow
      | undefined;
    return row && toThing(row);
  }

  list(filter: ThingFilter = {}): Thing[] {
    const where: string[] = [];
    if (filter.kind) where.push('kind = @kind');
    if (filter.storeId) where.push('store_id = @storeId');
    if (filter.provisioning) where.push('provisioning = @provisioning');
    const sql = `SELECT * FROM things ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY thing_name`;
    return (
      this.db
        .prepare(sql)
        .all({ kind: filter.kind, storeId: filter.storeId, provisioning: filter.provisioning }) as ThingRow[]
    ).map(toThing);
  }

  delete(thingName: string): boolean {
    return this.db.prepare('DELETE FROM things WHERE thing_name = ?').run(thingName).changes > 0;
  }
}

function toThing(row: ThingRow): Thing {
  return {
    thingName: row.thing_name,
    kind: row.kind,
    hardwareModel: row.hardware_model,
    storeId: row.store_id,
    zoneId: row.zone_id,
    tags: JSON.parse(row.tags),
    softwareVersion: row.software_version,
    provisioning: row.provisioning,
    provisioningTemplate: row.provisioning_template,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
