import type { Database } from '../storage/database.ts';

/** The last lifecycle `versionNumber` of every client id (`lifecycle_versions`), so that it grows across restarts. */
export class LifecycleVersionRepository {
  constructor(private readonly db: Database) {}

  /** Every client id's last version. */
  all(): Map<string, number> {
    const rows = this.db.prepare('SELECT client_id, version FROM lifecycle_versions').all() as {
      client_id: string;
      version: number;
    }[];
    return new Map(rows.map((row) => [row.client_id, row.version]));
  }

  /** Records `version` for the client id; a stored version that is already higher stays. */
  store(clientId: string, version: number): void {
    this.db
      .prepare(
        `INSERT INTO lifecycle_versions (client_id, version) VALUES (?, ?)
         ON CONFLICT(client_id) DO UPDATE SET version = max(version, excluded.version)`,
      )
      .run(clientId, version);
  }
}
