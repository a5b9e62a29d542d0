import { StatementCache } from '../../platform/statement-cache.ts';
import type { Database } from '../storage/database.ts';
import type { Chain, Store, Zone } from './registry-types.ts';

interface StoreRow {
  id: string;
  chain_id: string;
  name: string;
  region: string | null;
  time_zone: string;
  opening_hours: string;
  address: string;
}
interface ZoneRow {
  id: string;
  store_id: string;
  name: string;
  kind: Zone['kind'];
  polygon: string;
}

/** Chains, their stores and the stores' zones. */
export class StoreRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  upsertChain(chain: Chain): void {
    this.statements
      .prepare(
        'INSERT INTO chains (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name',
      )
      .run(chain.id, chain.name, Date.now());
  }

  listChains(): Chain[] {
    return this.statements.prepare('SELECT id, name FROM chains ORDER BY id').all() as Chain[];
  }

  upsertStore(store: Store): void {
    this.statements
      .prepare(
        `INSERT INTO stores (id, chain_id, name, region, time_zone, opening_hours, address, created_at)
         VALUES (@id, @chainId, @name, @region, @timeZone, @openingHours, @address, @now)
         ON CONFLICT(id) DO UPDATE SET chain_id = excluded.chain_id, name = excluded.name, region = excluded.region,
           time_zone = excluded.time_zone, opening_hours = excluded.opening_hours, address = excluded.address`,
      )
      .run({
        ...store,
        openingHours: JSON.stringify(store.openingHours),
        address: JSON.stringify(store.address),
        now: Date.now(),
      });
  }

  getStore(id: string): Store | undefined {
    const row = this.statements.prepare('SELECT * FROM stores WHERE id = ?').get(id) as StoreRow | undefined;
    return row && toStore(row);
  }

  listStores(): Store[] {
    return (this.statements.prepare('SELECT * FROM stores ORDER BY id').all() as StoreRow[]).map(toStore);
  }

  upsertZone(zone: Zone): void {
    this.statements
      .prepare(
        `INSERT INTO zones (id, store_id, name, kind, polygon) VALUES (@id, @storeId, @name, @kind, @polygon)
         ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, kind = excluded.kind,
           polygon = excluded.polygon`,
      )
      .run({ ...zone, polygon: JSON.stringify(zone.polygon) });
  }

  getZone(id: string): Zone | undefined {
    const row = this.statements.prepare('SELECT * FROM zones WHERE id = ?').get(id) as ZoneRow | undefined;
    return row && toZone(row);
  }

  listZones(storeId: string): Zone[] {
    return (
      this.statements.prepare('SELECT * FROM zones WHERE store_id = ? ORDER BY id').all(storeId) as ZoneRow[]
    ).map(toZone);
  }
}

function toStore(row: StoreRow): Store {
  return {
    id: row.id,
    chainId: row.chain_id,
    name: row.name,
    region: row.region,
    timeZone: row.time_zone,
    openingHours: JSON.parse(row.opening_hours),
    address: JSON.parse(row.address),
  };
}

function toZone(row: ZoneRow): Zone {
  return { id: row.id, storeId: row.store_id, name: row.name, kind: row.kind, polygon: JSON.parse(row.polygon) };
}
