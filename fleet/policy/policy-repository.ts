import type { Database } from '../storage/database.ts';
import type { PolicyDocument } from './policy-document.ts';

export interface PolicyRecord {
  name: string;
  document: PolicyDocument;
  version: number;
  createdAt: number;
  updatedAt: number;
}

interface PolicyRow {
  name: string;
  document: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** Named policy documents and their attachment to certificates. */
export class PolicyRepository {
  constructor(private readonly db: Database) {}

  /** Creates the policy, or replaces its document and bumps its version. */
  put(name: string, document: PolicyDocument): PolicyRecord {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO policies (name, document, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT(name) DO UPDATE SET document = excluded.document, version = version + 1,
           updated_at = excluded.updated_at`,
      )
      .run(name, JSON.stringify(document), now, now);
    return this.get(name) as PolicyRecord;
  }

  get(name: string): PolicyRecord | undefined {
    const row = this.db.prepare('SELECT * FROM policies WHERE name = ?').get(name) as PolicyRow | undefined;
    return row && toRecord(row);
  }

  list(): PolicyRecord[] {
    return (this.db.prepare('SELECT * FROM policies ORDER BY name').all() as PolicyRow[]).map(toRecord);
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM policies WHERE name = ?').run(name).changes > 0;
  }

  attach(name: string, certificateId: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO policy_attachments (policy_name, certificate_id) VALUES (?, ?)')
      .run(name, certificateId);
  }

  detach(name: string, certificateId: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM policy_attachments WHERE policy_name = ? AND certificate_id = ?')
        .run(name, certificateId).changes > 0
    );
  }

  policiesOf(certificateId: string): PolicyRecord[] {
    return (
      this.db
        .prepare(
          `SELECT p.* FROM policies p JOIN policy_attachments a ON a.policy_name = p.name
           WHERE a.certificate_id = ? ORDER BY p.name`,
        )
        .all(certificateId) as PolicyRow[]
    ).map(toRecord);
  }
}

function toRecord(row: PolicyRow): PolicyRecord {
  return {
    name: row.name,
    document: JSON.parse(row.document),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
