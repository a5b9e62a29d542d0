import type { Migration } from '../../platform/sqlite.ts';

/**
 * OTA rollouts (issue 10). Migration 34: rollouts (the spec as its API document, the columns queries filter by), the
 * stores each touches (a store manager's list), each phase's start, and every device of a rollout with what its job
 * execution last reported. Migration 35: stores' maintenance windows, and the penalty box's record (failed
 * executions per device, and when a technician last took a device out).
 */
export const otaRolloutMigrations: Migration[] = [
  {
    version: 34,
    name: 'OTA rollouts: rollouts, their stores and phases, their devices',
    sql: `
      CREATE TABLE ota_rollouts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        release_id TEXT NOT NULL,
        component TEXT NOT NULL CHECK (component IN ('software', 'model', 'config')),
        release_name TEXT NOT NULL,
        version TEXT NOT NULL,
        job_id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('scheduled', 'running', 'paused', 'completed', 'aborted', 'canceled')),
        state_reason TEXT,
        -- the RolloutSpec as sent (JSON)
        spec TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX ota_rollouts_state ON ota_rollouts(state);
      CREATE INDEX ota_rollouts_release ON ota_rollouts(release_id);
      CREATE TABLE ota_rollout_stores (
        rollout_id TEXT NOT NULL REFERENCES ota_rollouts(id) ON DELETE CASCADE,
        store_id TEXT NOT NULL,
        PRIMARY KEY (rollout_id, store_id)
      );
      CREATE INDEX ota_rollout_stores_store ON ota_rollout_stores(store_id);
      CREATE TABLE ota_rollout_phases (
        rollout_id TEXT NOT NULL REFERENCES ota_rollouts(id) ON DELETE CASCADE,
        phase INTEGER NOT NULL,
        started_at INTEGER,
        PRIMARY KEY (rollout_id, phase)
      );
      CREATE TABLE ota_rollout_devices (
        rollout_id TEXT NOT NULL REFERENCES ota_rollouts(id) ON DELETE CASCADE,
        thing_name TEXT NOT NULL,
        store_id TEXT,
        phase INTEGER NOT NULL,
        -- the device's place in the rollout's order (ota/rollout/device-order.ts)
        position INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('PENDING', 'QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED',
          'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED')),
        step TEXT,
        reason TEXT,
        message TEXT,
        logs TEXT,
        progress INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        retries_failed INTEGER NOT NULL DEFAULT 0,
        retries_timed_out INTEGER NOT NULL DEFAULT 0,
        execution_number INTEGER,
        queued_at INTEGER,
        updated_at INTEGER,
        PRIMARY KEY (rollout_id, thing_name)
      );
      CREATE INDEX ota_rollout_devices_order ON ota_rollout_devices(rollout_id, position);
      CREATE INDEX ota_rollout_devices_thing ON ota_rollout_devices(thing_name);
    `,
  },
  {
    version: 35,
    name: 'OTA: store maintenance windows, the penalty box',
    sql: `
      CREATE TABLE ota_maintenance_windows (
        store_id TEXT PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
        -- MaintenanceWindow[] (JSON)
        windows TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE ota_device_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        thing_name TEXT NOT NULL,
        rollout_id TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX ota_device_failures_thing ON ota_device_failures(thing_name, at);
      CREATE INDEX ota_device_failures_at ON ota_device_failures(at);
      CREATE TABLE ota_penalty_clears (
        thing_name TEXT PRIMARY KEY,
        cleared_at INTEGER NOT NULL,
        cleared_by TEXT NOT NULL
      );
    `,
  },
];
