import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../storage/database.ts';
import type { StoredShadow } from './shadow-document.ts';

/** AWS: a shadow re-created within 48 hours of its deletion continues the deleted one's version numbers. */
const VERSION_MEMORY_MS = 48 * 3600 * 1000;

export interface ShadowLookup {
  shadow: StoredShadow | undefined;
  /** When the shadow was deleted recently: the version it had. */
  deletedVersion: number | undefined;
}

interface ShadowRow {
  thing_name: string;
  shadow_name: string;
  state: string | null;
  metadata: string | null;
  version: number;
  updated_at: number;
}

/**
 * Shadow documents, one row per (thing, shadow name); the classic shadow has the empty name. A deleted shadow keeps
 * its row with a NULL state so that its version survives for re-creation.
 */
export class ShadowRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  find(thingName: string, shadowName: string | undefined): ShadowLookup {
    const row = this.db
      .prepare('SELECT * FROM shadows WHERE thing_name = ? AND shadow_name = ?')
      .get(thingName, shadowName ?? '') as ShadowRow | undefined;
    if (!row) return { shadow: undefined, deletedVersion: undefined };
    if (row.state === null) {
      const recent = this.clock.now() - row.updated_at < VERSION_MEMORY_MS;
      return { shadow: undefined, deletedVersion: recent ? row.version : undefined };
    }
    return {
      shadow: { state: JSON.parse(row.state), metadata: JSON.parse(row.metadata ?? '{}'), version: row.version },
      deletedVersion: undefined,
    };
  }

  save(thingName: string, shadowName: string | undefined, shadow: StoredShadow): void {
    this.db
      .prepare(
        `INSERT INTO shadows (thing_name, shadow_name, state, metadata, version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(thing_name, shadow_name) DO UPDATE SET state = excluded.state, metadata = excluded.metadata,
           version = excluded.version, updated_at = excluded.updated_at`,
      )
      .run(
        thingName,
        shadowName ?? '',
        JSON.stringify(shadow.state),
        JSON.stringify(shadow.metadata),
        shadow.version,
        this.clock.now(),
      );
  }

  markDeleted(thingName: string, shadowName: string | undefined): void {
    this.db
      .prepare(
        'UPDATE shadows SET state = NULL, metadata = NULL, updated_at = ? WHERE thing_name = ? AND shadow_name = ?',
      )
      .run(this.clock.now(), thingName, shadowName ?? '');
  }

  /** Names of the thing's live shadows; the classic one is listed as `undefined`. */
  namesOf(thingName: string): (string | undefined)[] {
    return (
      this.db
        .prepare('SELECT shadow_name FROM shadows WHERE thing_name = ? AND state IS NOT NULL ORDER BY shadow_name')
        .all(thingName) as { shadow_name: string }[]
    ).map((r) => (r.shadow_name === '' ? undefined : r.shadow_name));
  }
}
