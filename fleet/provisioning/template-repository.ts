import type { Database } from '../storage/database.ts';
import type { ProvisioningTemplate } from './provisioning-template.ts';

export type StoredTemplate = ProvisioningTemplate & { createdAt: number; updatedAt: number };

interface TemplateRow {
  name: string;
  description: string;
  enabled: number;
  requires_approval: number;
  policy_name: string;
  thing_name_pattern: string;
  device_kind: ProvisioningTemplate['deviceKind'];
  hardware_model: string | null;
  parameters: string;
  created_at: number;
  updated_at: number;
}

/** Provisioning templates (validated before they get here: see parseProvisioningTemplate). */
export class ProvisioningTemplateRepository {
  constructor(private readonly db: Database) {}

  /** Creates the template, or replaces it. */
  put(template: ProvisioningTemplate): StoredTemplate {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO provisioning_templates (name, description, enabled, requires_approval, policy_name,
           thing_name_pattern, device_kind, hardware_model, parameters, created_at, updated_at)
         VALUES (@name, @description, @enabled, @requiresApproval, @policyName, @thingNamePattern, @deviceKind,
           @hardwareModel, @parameters, @now, @now)
         ON CONFLICT(name) DO UPDATE SET description = excluded.description, enabled = excluded.enabled,
           requires_approval = excluded.requires_approval, policy_name = excluded.policy_name,
           thing_name_pattern = excluded.thing_name_pattern, device_kind = excluded.device_kind,
           hardware_model = excluded.hardware_model, parameters = excluded.parameters, updated_at = excluded.updated_at`,
      )
      .run({
        ...template,
        enabled: template.enabled ? 1 : 0,
        requiresApproval: template.requiresApproval ? 1 : 0,
        parameters: JSON.stringify(template.parameters),
        now,
      });
    return this.get(template.name) as StoredTemplate;
  }

  get(name: string): StoredTemplate | undefined {
    const row = this.db.prepare('SELECT * FROM provisioning_templates WHERE name = ?').get(name) as
      | TemplateRow
      | undefined;
    return row && toTemplate(row);
  }

  list(): StoredTemplate[] {
    return (this.db.prepare('SELECT * FROM provisioning_templates ORDER BY name').all() as TemplateRow[]).map(
      toTemplate,
    );
  }
}

function toTemplate(row: TemplateRow): StoredTemplate {
  return {
    name: row.name,
    description: row.description,
    enabled: row.enabled === 1,
    requiresApproval: row.requires_approval === 1,
    policyName: row.policy_name,
    thingNamePattern: row.thing_name_pattern,
    deviceKind: row.device_kind,
    hardwareModel: row.hardware_model,
    parameters: JSON.parse(row.parameters),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ProvisionedCertificate {
  certificateId: string;
  tokenId: string;
  expiresAt: number;
  registeredAt: number | null;
  thingName: string | null;
}

/**
 * Certificates made by CreateKeysAndCertificate / CreateCertificateFromCsr: which token was issued for each, and
 * whether RegisterThing used it (a token works once).
 */
export class ProvisionedCertificateRepository {
  constructor(private readonly db: Database) {}

  insert(record: { certificateId: string; tokenId: string; expiresAt: number }): void {
    this.db
      .prepare(
        `INSERT INTO provisioning_certificates (certificate_id, token_id, expires_at, created_at)
         VALUES (@certificateId, @tokenId, @expiresAt, @now)`,
      )
      .run({ ...record, now: Date.now() });
  }

  get(certificateId: string): ProvisionedCertificate | undefined {
    const row = this.db
      .prepare(
        `SELECT certificate_id AS certificateId, token_id AS tokenId, expires_at AS expiresAt,
           registered_at AS registeredAt, thing_name AS thingName
         FROM provisioning_certificates WHERE certificate_id = ?`,
      )
      .get(certificateId) as ProvisionedCertificate | undefined;
    return row;
  }

  /** Marks the token used; false if it already was. */
  markRegistered(certificateId: string, thingName: string, at: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE provisioning_certificates SET registered_at = ?, thing_name = ?
           WHERE certificate_id = ? AND registered_at IS NULL`,
        )
        .run(at, thingName, certificateId).changes > 0
    );
  }

  /**
   * Deletes the certificates whose token expired unused (AWS deletes them too); they were never ACTIVE. Returns how
   * many.
   */
  deleteExpired(now: number): number {
    return this.db
      .prepare(
        `DELETE FROM certificates WHERE status = 'INACTIVE' AND certificate_id IN (
           SELECT certificate_id FROM provisioning_certificates WHERE registered_at IS NULL AND expires_at <= ?)`,
      )
      .run(now).changes;
  }
}
