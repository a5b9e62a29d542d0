import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import { backoffDelayMs } from '../../../platform/failure-backoff.ts';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { deviceContentPaths } from '../../../protocol/broadcast/device-content.ts';
import {
  BROADCAST_SHADOW,
  type BroadcastManifest,
  BroadcastManifestSchema,
  type ManifestAnnouncement,
  ManifestAnnouncementSchema,
} from '../../../protocol/broadcast/manifest.ts';
import { type ErrorCode, FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { JsonObject } from '../../../protocol/shadow.ts';
import type { DeviceConnection } from '../../core/device-connection.ts';
import type { DeviceContentClient } from '../../core/device-https-client.ts';
import { type NamedShadowDocument, NamedShadowWatch } from '../../core/named-shadow-watch.ts';
import { DOWNLOAD_BACKOFF } from './content-cache.ts';

const FILE = 'manifest.json';
const announcementSchema = new SchemaValidator<ManifestAnnouncement>(ManifestAnnouncementSchema);
const manifestSchema = new SchemaValidator<BroadcastManifest>(BroadcastManifestSchema);

/** Codes a manifest is refused with; the previous one stays current. */
export type ManifestRefusal = Extract<ErrorCode, 'MANIFEST_HASH_MISMATCH' | 'MANIFEST_INVALID'>;

export interface ManifestSyncEvents {
  /** A verified manifest is current: loaded from disk at start, or downloaded. */
  manifest: [manifest: BroadcastManifest];
  /** An announced manifest was refused; the previous one stays current. */
  refused: [error: FleetError, announcement: ManifestAnnouncement];
}

/**
 * The speaker's manifest, offline first (issue 9 item 4). At start it loads the last good one from disk, so a speaker
 * rebooted with the fleet unreachable plays its whole horizon. Online, it watches the named shadow `broadcast`: when
 * `desired.manifest` announces another version, it downloads it over the fleet's device HTTPS endpoint with the
 * device's certificate, checks its bytes against the announced sha256 (MANIFEST_HASH_MISMATCH) and the manifest
 * against BroadcastManifestSchema, its version and its thing (MANIFEST_INVALID), writes it atomically, and only then
 * makes it current. A refused manifest is reported as `manifestError` and not fetched again; the previous one stays.
 * A download that fails (fleet unreachable) is tried again with back-off while it is still the one announced.
 * Also the one writer of the shadow's `reported` (BroadcastReport): `report()` merges and sends when online.
 */
export class ManifestSync extends EventEmitter<ManifestSyncEvents> {
  private manifest: BroadcastManifest | undefined;
  private applied: ManifestAnnouncement | undefined;
  private wanted: ManifestAnnouncement | undefined;
  private refusedAnnouncement: ManifestAnnouncement | undefined;
  private working = false;
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private running = false;
  private readonly watch: NamedShadowWatch;
  private readonly onDocument = ({ desired }: NamedShadowDocument) => {
    if (desired.manifest !== undefined) this.announced(desired.manifest);
  };

  constructor(
    connection: DeviceConnection,
    private readonly http: DeviceContentClient,
    private readonly thingName: string,
    private readonly dir: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    super();
    this.watch = new NamedShadowWatch(connection, thingName, BROADCAST_SHADOW, log, clock);
  }

  get current(): BroadcastManifest | undefined {
    return this.manifest;
  }

  /** Times in a row the fleet refused to let it watch the shadow (0 once it watches). */
  get watchRefusals(): number {
    return this.watch.refusals;
  }

  start(): void {
    this.running = true;
    this.loadStored();
    this.watch.on('document', this.onDocument);
    this.watch.start();
  }

  stop(): void {
    this.running = false;
    this.watch.off('document', this.onDocument);
    this.watch.stop();
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.wanted = undefined;
  }

  /** Reports into the named shadow's `reported` (only the given fields change); sent now or on reconnect. */
  report(reported: JsonObject): void {
    this.watch.report(reported);
  }

  private loadStored(): void {
    const path = join(this.dir, FILE);
    if (!existsSync(path)) return;
    try {
      const bytes = readFileSync(path);
      const manifest = this.parse(bytes, undefined);
      this.manifest = manifest;
      this.applied = { version: manifest.version, sha256: sha256(bytes), bytes: bytes.length };
      this.log.info({ version: manifest.version, to: manifest.to }, 'broadcast manifest loaded from disk');
      this.report({ manifest: this.applied, manifestVersion: manifest.version });
      this.emit('manifest', manifest);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'stored broadcast manifest unreadable: waiting for the fleet');
    }
  }

  private announced(value: unknown): void {
    const checked = announcementSchema.check(value);
    if (!checked.ok) {
      this.log.warn({ reason: checked.reason }, 'broadcast manifest announcement invalid');
      return;
    }
    const announcement = checked.value;
    if (sameAnnouncement(this.applied, announcement)) return;
    // Refused once, refused again: the same bytes would fail the same checks.
    if (sameAnnouncement(this.refusedAnnouncement, announcement)) return;
    if (!sameAnnouncement(this.wanted, announcement)) this.failures = 0;
    this.wanted = announcement;
    void this.work();
  }

  /** One download at a time; the newest announcement wins. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.running && this.wanted) {
        const announcement = this.wanted;
        try {
          await this.install(announcement);
          if (this.wanted === announcement) this.wanted = undefined;
        } catch (err) {
          if (isFleetError(err, 'MANIFEST_HASH_MISMATCH') || isFleetError(err, 'MANIFEST_INVALID')) {
            this.refuse(err, announcement);
            if (this.wanted === announcement) this.wanted = undefined;
            continue;
          }
          // Not reachable, or the fleet refused (a version already pruned): try again later, if still wanted.
          this.failures++;
          const delay = backoffDelayMs(this.failures, DOWNLOAD_BACKOFF);
          this.log.warn(
            { version: announcement.version, failures: this.failures, err: (err as Error).message },
            'broadcast manifest not downloaded; will retry',
          );
          this.clock.clearTimeout(this.retryTimer);
          this.retryTimer = this.clock.setTimeout(() => {
            this.retryTimer = undefined;
            void this.work();
          }, delay);
          return;
        }
      }
    } finally {
      this.working = false;
    }
  }

  private async install(announcement: ManifestAnnouncement): Promise<void> {
    const bytes = await this.http
      .fetchBytes(deviceContentPaths.manifest(announcement.version), announcement.bytes)
      .catch((err: unknown) => {
        if (!isFleetError(err, 'PAYLOAD_TOO_LARGE')) throw err;
        throw new FleetError('MANIFEST_HASH_MISMATCH', `longer than the ${announcement.bytes} bytes announced`);
      });
    const actual = sha256(bytes);
    if (actual !== announcement.sha256 || bytes.length !== announcement.bytes)
      throw new FleetError(
        'MANIFEST_HASH_MISMATCH',
        `${bytes.length} bytes hashing to ${actual}, announced ${announcement.bytes} bytes hashing to ${announcement.sha256}`,
      );
    const manifest = this.parse(bytes, announcement.version);
    this.writeAtomically(bytes);
    this.manifest = manifest;
    this.applied = announcement;
    this.refusedAnnouncement = undefined;
    this.failures = 0;
    this.log.info(
      { version: manifest.version, items: manifest.items.length, assets: manifest.assets.length },
      'broadcast manifest installed',
    );
    this.report({ manifest: announcement, manifestVersion: manifest.version, manifestError: null });
    this.emit('manifest', manifest);
  }

  private parse(bytes: Buffer, version: number | undefined): BroadcastManifest {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new FleetError('MANIFEST_INVALID', 'the manifest is not JSON');
    }
    const checked = manifestSchema.check(json);
    if (!checked.ok) throw new FleetError('MANIFEST_INVALID', checked.reason);
    const manifest = checked.value;
    if (version !== undefined && manifest.version !== version)
      throw new FleetError('MANIFEST_INVALID', `the file holds version ${manifest.version}, not ${version}`);
    if (manifest.thingName !== this.thingName)
      throw new FleetError('MANIFEST_INVALID', `the manifest is for ${manifest.thingName}`);
    return manifest;
  }

  private refuse(error: FleetError, announcement: ManifestAnnouncement): void {
    this.refusedAnnouncement = announcement;
    this.log.warn({ code: error.code, version: announcement.version }, `broadcast manifest refused: ${error.message}`);
    this.report({ manifestError: { version: announcement.version, code: error.code } });
    this.emit('refused', error, announcement);
  }

  /** The previous file stays until the new one is whole on disk: a crash leaves one or the other, never half. */
  private writeAtomically(bytes: Buffer): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, FILE);
    const temp = `${path}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    const dir = openSync(this.dir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}

function sameAnnouncement(a: ManifestAnnouncement | undefined, b: ManifestAnnouncement): boolean {
  return a !== undefined && a.version === b.version && a.sha256 === b.sha256 && a.bytes === b.bytes;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
