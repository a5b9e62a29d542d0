import { StatementCache } from '../../platform/statement-cache.ts';
import type { Database } from '../storage/database.ts';

export type CertificateStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED';

export interface CertificateRecord {
  certificateId: string;
  serialNumber: string;
  subjectCn: string;
  certificatePem: string;
  status: CertificateStatus;
  notBefore: number;
  notAfter: number;
  createdAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
}

interface CertificateRow {
  certificate_id: string;
  serial_number: string;
  subject_cn: string;
  certificate_pem: string;
  status: CertificateStatus;
  not_before: number;
  not_after: number;
  created_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
}

/** Device certificates (public parts only: private keys are never stored by the fleet) and their things. */
export class CertificateRepository {
  // Every MQTT CONNECT and every device HTTPS request looks a certificate up: prepared once, not per lookup.
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(record: Omit<CertificateRecord, 'createdAt' | 'revokedAt' | 'revokeReason'>): void {
    this.db
      .prepare(
        `INSERT INTO certificates (certificate_id, serial_number, subject_cn, certificate_pem, status, not_before,
           not_after, created_at)
         VALUES (@certificateId, @serialNumber, @subjectCn, @certificatePem, @status, @notBefore, @notAfter, @now)`,
      )
      .run({ ...record, now: Date.now() });
  }

  get(certificateId: string): CertificateRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM certificates WHERE certificate_id = ?').get(certificateId) as
      | CertificateRow
      | undefined;
    return row && toRecord(row);
  }

  list(): CertificateRecord[] {
    return (this.db.prepare('SELECT * FROM certificates ORDER BY created_at').all() as CertificateRow[]).map(toRecord);
  }

  setStatus(certificateId: string, status: CertificateStatus, reason?: string): boolean {
    const revokedAt = status === 'REVOKED' ? Date.now() : null;
    return (
      this.db
        .prepare(
          'UPDATE certificates SET status = ?, revoked_at = ?, revoke_reason = ? WHERE certificate_id = ? AND status != ?',
        )
        .run(status, revokedAt, reason ?? null, certificateId, 'REVOKED').changes > 0
    );
  }

  attachThing(certificateId: string, thingName: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO thing_principals (thing_name, certificate_id) VALUES (?, ?)')
      .run(thingName, certificateId);
  }

  detachThing(certificateId: string, thingName: string): void {
    this.db
      .prepare('DELETE FROM thing_principals WHERE thing_name = ? AND certificate_id = ?')
      .run(thingName, certificateId);
  }

  thingsOf(certificateId: string): string[] {
    return (
      this.statements
        .prepare('SELECT thing_name FROM thing_principals WHERE certificate_id = ?')
        .all(certificateId) as {
        thing_name: string;
      }[]
    ).map((r) => r.thing_name);
  }

  certificatesOf(thingName: string): CertificateRecord[] {
    return (
      this.db
        .prepare(
          `SELECT c.* FROM certificates c JOIN thing_principals p ON p.certificate_id = c.certificate_id
           WHERE p.thing_name = ? ORDER BY c.created_at`,
        )
        .all(thingName) as CertificateRow[]
    ).map(toRecord);
  }
}

function toRecord(row: CertificateRow): CertificateRecord {
  return {
    certificateId: row.certificate_id,
    serialNumber: row.serial_number,
    subjectCn: row.subject_cn,
    certificatePem: row.certificate_pem,
    status: row.status,
    notBefore: row.not_before,
    notAfter: row.not_after,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
  };
}
