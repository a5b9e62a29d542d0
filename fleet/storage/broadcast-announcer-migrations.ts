import type { Migration } from '../../platform/sqlite.ts';

/**
 * The announcer (issue 9 item 2, migration 29): text templates, and what each announcer asset says. An
 * announcement names its asset by sha256 without a foreign key: assets are the content library's aggregate
 * (migration 26), which may be migrated, deduplicated or purged on its own terms; the console joins them by hash.
 */
export const broadcastAnnouncerMigrations: Migration[] = [
  {
    version: 29,
    name: 'announcer: templates and the announcements made from them',
    sql: `
      CREATE TABLE announcer_templates (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        -- {"zh": "...", "en": "..."}: one text per language it speaks, at least one
        text TEXT NOT NULL,
        -- field values used when a render gives none (JSON, protocol/api/announcer.ts FieldValues)
        defaults TEXT NOT NULL DEFAULT '{}',
        -- null: an HQ template, for every store; otherwise the one store it belongs to
        store_id TEXT REFERENCES stores(id),
        created_by TEXT,
        created_at INTEGER NOT NULL,
        updated_by TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX announcer_templates_store ON announcer_templates(store_id);
      CREATE TABLE announcements (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 TEXT NOT NULL,
        title TEXT NOT NULL,
        -- the words spoken, numbers already read out (九块九)
        text TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
        template_id TEXT REFERENCES announcer_templates(id) ON DELETE SET NULL,
        -- the field values it was made with (JSON), after defaults and the product's
        fields TEXT NOT NULL,
        product_id TEXT,
        store_id TEXT REFERENCES stores(id),
        duration_ms INTEGER NOT NULL,
        integrated_lufs REAL NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX announcements_sha256 ON announcements(sha256);
      CREATE INDEX announcements_store ON announcements(store_id, id);
    `,
  },
];
