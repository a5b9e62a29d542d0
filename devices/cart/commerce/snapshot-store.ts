import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import {
  type PricingSnapshot,
  type SnapshotAnnouncement,
  SnapshotAnnouncementSchema,
} from '../../../protocol/commerce/snapshot.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { DeviceConnection } from '../../core/device-connection.ts';
import type { FileStreamClient } from '../../core/file-stream-client.ts';
import { type NamedShadowDocument, NamedShadowWatch } from '../../core/named-shadow-watch.ts';
import { parseSnapshot } from './snapshot-parser.ts';

/** The named shadow the fleet announces snapshots in (fleet/pricing/pricing-snapshot-service.ts). */
export const COMMERCE_SHADOW = 'commerce';
const FILE = 'pricing-snapshot.json.gz';

const announcementSchema = new SchemaValidator<SnapshotAnnouncement>(SnapshotAnnouncementSchema);

export interface SnapshotStoreEvents {
  /** A verified snapshot is in use: loaded at start, or downloaded. */
  snapshot: [snapshot: PricingSnapshot];
  /** An announced snapshot was refused (`SNAPSHOT_*` / `STREAM_*` code); the previous one stays in use. */
  refused: [error: FleetError, announcement: SnapshotAnnouncement];
}

/**
 * The cart's pricing snapshot, offline first. At start it loads the one on disk (a cart restarted without network
 * still prices). Online, it watches the named shadow `commerce`: when `desired.pricingSnapshot` names another
 * version it downloads it over MQTT file delivery, checks size and sha256 against the announcement, gunzips it,
 * validates it against PricingSnapshotSchema and its version and store, writes it atomically (temp file, fsync,
 * rename, fsync of the directory), and only then replaces the one in use and reports it. It reports the whole
 * announcement (not just version and sha256) so that the shadow's delta is empty once the cart has caught up.
 */
export class SnapshotStore extends EventEmitter<SnapshotStoreEvents> {
  private snapshot: PricingSnapshot | undefined;
  private applied: SnapshotAnnouncement | undefined;
  private wanted: SnapshotAnnouncement | undefined;
  private working = false;
  private readonly watch: NamedShadowWatch;
  private readonly onDocument = ({ desired }: NamedShadowDocument) => {
    if (desired.pricingSnapshot !== undefined) this.announced(desired.pricingSnapshot);
  };

  constructor(
    connection: DeviceConnection,
    private readonly streams: FileStreamClient,
    thingName: string,
    private readonly dataDir: string,
    private readonly log: Logger,
    clock: Clock,
  ) {
    super();
    // A refused watch (a cart waiting for approval) is asked again with back-off, and nothing is published until it
    // is granted: a refused PUBLISH would close the cart's connection.
    this.watch = new NamedShadowWatch(connection, thingName, COMMERCE_SHADOW, log, clock);
  }

  /** The snapshot in use, if any. */
  get current(): PricingSnapshot | undefined {
    return this.snapshot;
  }

  /** Loads the stored snapshot (if any) before it listens for announcements. */
  async start(): Promise<void> {
    await this.loadStored();
    this.watch.on('document', this.onDocument);
    this.watch.start();
  }

  stop(): void {
    this.watch.off('document', this.onDocument);
    this.watch.stop();
    this.wanted = undefined;
  }

  private async loadStored(): Promise<void> {
    const path = join(this.dataDir, FILE);
    if (!existsSync(path)) return;
    try {
      const bytes = readFileSync(path);
      const snapshot = await parseSnapshot(bytes);
      this.snapshot = snapshot;
      this.applied = { version: snapshot.version, streamId: '', fileId: 0, size: bytes.length, sha256: sha256(bytes) };
      this.log.info({ version: snapshot.version, storeId: snapshot.storeId }, 'pricing snapshot loaded from disk');
      this.emit('snapshot', snapshot);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'stored pricing snapshot unreadable: waiting for the fleet');
    }
  }

  private announced(value: unknown): void {
    const checked = announcementSchema.check(value);
    if (!checked.ok) {
      this.log.warn({ reason: checked.reason }, 'pricing snapshot announcement invalid');
      return;
    }
    const announcement = checked.value;
    if (this.applied?.sha256 === announcement.sha256 && this.applied.version === announcement.version) {
      if (this.applied.streamId !== announcement.streamId) this.report(announcement);
      this.applied = announcement;
      return;
    }
    this.wanted = announcement;
    void this.work();
  }

  /** One download at a time; the newest announcement wins. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.wanted) {
        const announcement = this.wanted;
        this.wanted = undefined;
        try {
          await this.install(announcement);
        } catch (err) {
          const error = isFleetError(err) ? err : new FleetError('SNAPSHOT_INVALID', (err as Error).message);
          this.log.warn(
            { code: error.code, version: announcement.version },
            `pricing snapshot refused: ${error.message}`,
          );
          this.emit('refused', error, announcement);
        }
      }
    } finally {
      this.working = false;
    }
  }

  private async install(announcement: SnapshotAnnouncement): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await this.streams.download({
        streamId: announcement.streamId,
        fileId: announcement.fileId,
        size: announcement.size,
        sha256: announcement.sha256,
      });
    } catch (err) {
      if (isFleetError(err, 'STREAM_FILE_MISMATCH'))
        throw new FleetError('SNAPSHOT_CHECKSUM_MISMATCH', err.message, err.details);
      throw err;
    }
    const snapshot = await parseSnapshot(bytes);
    if (snapshot.version !== announcement.version)
      throw new FleetError(
        'SNAPSHOT_INVALID',
        `the file holds version ${snapshot.version}, not ${announcement.version}`,
      );
    this.writeAtomically(bytes);
    this.snapshot = snapshot;
    this.applied = announcement;
    this.log.info({ version: snapshot.version, products: snapshot.products.length }, 'pricing snapshot installed');
    this.report(announcement);
    this.emit('snapshot', snapshot);
  }

  /** The previous file stays until the new one is whole on disk: a crash leaves one or the other, never half. */
  private writeAtomically(bytes: Buffer): void {
    mkdirSync(this.dataDir, { recursive: true });
    const path = join(this.dataDir, FILE);
    const temp = `${path}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    const dir = openSync(this.dataDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  private report(announcement: SnapshotAnnouncement): void {
    this.watch.report({ pricingSnapshot: announcement });
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
