import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import { backoffDelayMs, type FailureBackoff } from '../../../platform/failure-backoff.ts';
import type { Logger } from '../../../platform/log.ts';
import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';
import { deviceContentPaths } from '../../../protocol/broadcast/device-content.ts';
import type { BroadcastManifest, BroadcastReport, ManifestAsset } from '../../../protocol/broadcast/manifest.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { DeviceContentClient } from '../../core/device-https-client.ts';

/** At most this many downloads at once (the store's uplink is shared with the carts and the tills). */
export const MAX_PARALLEL_DOWNLOADS = 2;

/** Retries of a failed download: the first at once, then doubling from 2 s up to 5 min (failure-backoff.ts). */
export const DOWNLOAD_BACKOFF: FailureBackoff = {
  freeAttempts: 1,
  baseDelayMs: 2_000,
  maxDelayMs: 5 * 60_000,
  windowMs: Number.POSITIVE_INFINITY,
};

/** Whether the device can reach the fleet now; downloads wait for 'online' rather than spin while offline. */
export interface Reachability {
  readonly online: boolean;
  on(event: 'online', listener: () => void): unknown;
  off(event: 'online', listener: () => void): unknown;
}

export interface ContentCacheOptions {
  dir: string;
  budgetBytes: number;
}

export interface ContentCacheEvents {
  /** The cache's report changed (an asset arrived or was evicted, the pins changed). */
  changed: [];
  /** A pinned asset (of the current manifest or a live insert) is now in the cache. */
  ready: [sha256: string];
}

export type CacheReport = BroadcastReport['cache'];

interface Wanted {
  asset: ManifestAsset;
  failures: number;
  retryAt: number;
}

/**
 * The speaker's local copy of its content (issue 9 item 4): one `{sha256}.opus` file per asset under `dir`, within a
 * storage budget. Every asset of the current manifest is pinned; unpinned ones are evicted least recently used first
 * (a file's mtime is its last use: `pathOf` touches it) when room is needed. When the pins alone exceed the budget,
 * nothing pinned is evicted: what does not fit stays missing and `budgetError` is CACHE_BUDGET_EXCEEDED.
 *
 * Downloads go over the fleet's device HTTPS endpoint, at most {@link MAX_PARALLEL_DOWNLOADS} at once, into
 * `{sha256}.part`: a cut download resumes where it stopped (HTTP Range). A finished file is checked against its
 * sha256 and size before it is renamed into place; a mismatch deletes the part (ASSET_HASH_MISMATCH) and the asset
 * is tried again with back-off, as after any failure. While the fleet is unreachable nothing is tried; what is in the
 * cache keeps playing.
 */
export class ContentCache extends EventEmitter<ContentCacheEvents> {
  private running = false;
  private pinned = new Map<string, ManifestAsset>();
  private manifestPins: readonly ManifestAsset[] = [];
  private extraPins: readonly ManifestAsset[] = [];
  private readonly wanted = new Map<string, Wanted>();
  private readonly active = new Set<string>();
  private retryTimer: TimerHandle | undefined;
  private overBudget = false;
  private readonly counters = { downloads: 0, resumed: 0, bytesReceived: 0, hashMismatches: 0, evicted: 0 };
  /** For each resumed download: where it resumed and how many bytes it still had to fetch. */
  readonly resumes: { sha256: string; offset: number; received: number }[] = [];
  private readonly kick = () => this.pump();

  constructor(
    private readonly options: ContentCacheOptions,
    private readonly client: DeviceContentClient,
    private readonly network: Reachability,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    super();
  }

  start(): void {
    mkdirSync(this.options.dir, { recursive: true });
    this.running = true;
    this.network.on('online', this.kick);
    this.pump();
  }

  stop(): void {
    this.running = false;
    this.network.off('online', this.kick);
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.client.abortAll();
  }

  /** The file of an asset if the cache has it whole, for the player; marks it used (LRU). */
  pathOf(sha256: string): string | undefined {
    const path = this.fileOf(sha256);
    if (!existsSync(path)) return undefined;
    const now = new Date(this.clock.now());
    utimesSync(path, now, now);
    return path;
  }

  has(sha256: string): boolean {
    return existsSync(this.fileOf(sha256));
  }

  /** CACHE_BUDGET_EXCEEDED while the current manifest's assets alone do not fit the budget. */
  get budgetError(): FleetError | undefined {
    return this.overBudget
      ? new FleetError('CACHE_BUDGET_EXCEEDED', `the manifest needs more than ${this.options.budgetBytes} bytes`)
      : undefined;
  }

  stats(): typeof this.counters {
    return { ...this.counters };
  }

  /** Pins the manifest's assets (and only those, with the live inserts' of `pinExtra`) and fetches what is missing. */
  pin(manifest: BroadcastManifest): void {
    this.manifestPins = manifest.assets;
    this.repin();
  }

  /**
   * Pins the assets of what the speaker must play besides its manifest (ad-hoc inserts, the emergency), replacing the
   * previous extra pins; they are fetched first, since they are wanted now.
   */
  pinExtra(assets: readonly ManifestAsset[]): void {
    this.extraPins = assets;
    this.repin();
  }

  private repin(): void {
    this.pinned = new Map([...this.extraPins, ...this.manifestPins].map((a) => [a.sha256, a]));
    const needed = [...this.pinned.values()].reduce((sum, a) => sum + a.bytes, 0);
    this.overBudget = needed > this.options.budgetBytes;
    if (this.overBudget)
      this.log.warn(
        { neededBytes: needed, budgetBytes: this.options.budgetBytes },
        'the manifest needs more than the cache budget: what does not fit stays missing',
      );
    for (const sha of this.wanted.keys()) if (!this.pinned.has(sha)) this.wanted.delete(sha);
    for (const asset of this.pinned.values())
      if (!this.has(asset.sha256) && !this.wanted.has(asset.sha256))
        this.wanted.set(asset.sha256, { asset, failures: 0, retryAt: 0 });
    // Downloads start in the map's order: what a live insert wants now goes before the horizon's music.
    const extra = new Set(this.extraPins.map((a) => a.sha256));
    const ordered = [...this.wanted].sort(([a], [b]) => Number(extra.has(b)) - Number(extra.has(a)));
    this.wanted.clear();
    for (const [sha, wanted] of ordered) this.wanted.set(sha, wanted);
    this.emit('changed');
    this.pump();
  }

  report(): CacheReport {
    const files = this.files();
    return {
      budgetBytes: this.options.budgetBytes,
      usedBytes: files.reduce((sum, f) => sum + f.bytes, 0),
      assets: files.filter((f) => !f.part).length,
      missing: [...this.pinned.keys()].filter((sha) => !this.has(sha)).length,
    };
  }

  private fileOf(sha256: string): string {
    return join(this.options.dir, `${sha256}.${DEVICE_AUDIO_FORMAT.extension}`);
  }

  private partOf(sha256: string): string {
    return join(this.options.dir, `${sha256}.part`);
  }

  /** Starts what may start now: up to the parallel limit, online, not waiting out a back-off. */
  private pump(): void {
    if (!this.running || !this.network.online) return;
    const now = this.clock.now();
    let nextRetry = Number.POSITIVE_INFINITY;
    for (const [sha, wanted] of this.wanted) {
      if (this.active.size >= MAX_PARALLEL_DOWNLOADS) break;
      if (this.active.has(sha)) continue;
      if (wanted.retryAt > now) {
        nextRetry = Math.min(nextRetry, wanted.retryAt);
        continue;
      }
      if (!this.makeRoom(wanted.asset)) continue;
      this.active.add(sha);
      void this.download(wanted).finally(() => {
        this.active.delete(sha);
        this.pump();
      });
    }
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (Number.isFinite(nextRetry))
      this.retryTimer = this.clock.setTimeout(() => this.pump(), Math.max(0, nextRetry - now));
  }

  private async download(wanted: Wanted): Promise<void> {
    const { sha256, bytes } = wanted.asset;
    const part = this.partOf(sha256);
    const offset = existsSync(part) ? statSync(part).size : 0;
    try {
      // A part already whole (the device stopped between the last byte and the rename) is only checked.
      const result =
        offset === bytes
          ? { status: 206 as const, offset, received: 0 }
          : await this.client.downloadPart(
              deviceContentPaths.content(sha256),
              part,
              offset > bytes ? 0 : offset,
              `"${sha256}"`,
              (n) => {
                this.counters.bytesReceived += n;
              },
            );
      if (result.status === 206) {
        this.counters.resumed++;
        this.resumes.push({ sha256, offset: result.offset, received: result.received });
      }
      await this.verify(sha256, bytes, part);
      renameSync(part, this.fileOf(sha256));
      this.counters.downloads++;
      this.wanted.delete(sha256);
      this.log.info({ sha256, bytes, resumedAt: result.status === 206 ? result.offset : null }, 'asset cached');
      this.emit('ready', sha256);
      this.emit('changed');
    } catch (err) {
      if (!this.running) return;
      if (isFleetError(err, 'ASSET_HASH_MISMATCH') || isFleetError(err, 'RANGE_NOT_SATISFIABLE'))
        rmSync(part, { force: true });
      wanted.failures++;
      wanted.retryAt = this.clock.now() + backoffDelayMs(wanted.failures, DOWNLOAD_BACKOFF);
      this.log.warn(
        {
          sha256,
          failures: wanted.failures,
          code: isFleetError(err) ? err.code : undefined,
          err: (err as Error).message,
        },
        'asset download failed; will retry',
      );
    }
  }

  private async verify(sha256: string, bytes: number, part: string): Promise<void> {
    const size = statSync(part).size;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(part)) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (size === bytes && actual === sha256) return;
    this.counters.hashMismatches++;
    throw new FleetError('ASSET_HASH_MISMATCH', `downloaded ${size} bytes hashing to ${actual}`, { sha256 });
  }

  /**
   * Frees room for `asset` by evicting unpinned files, least recently used first. False when even that would not
   * make room (the pins fill the budget): the asset stays missing, and nothing pinned is ever evicted.
   */
  private makeRoom(asset: ManifestAsset): boolean {
    const files = this.files();
    const partBytes = files.find((f) => f.sha256 === asset.sha256 && f.part)?.bytes ?? 0;
    const reserved = [...this.active].reduce((sum, sha) => sum + (this.pinned.get(sha)?.bytes ?? 0), 0);
    let used = files.reduce((sum, f) => sum + f.bytes, 0) - partBytes;
    const need = used + reserved + asset.bytes - this.options.budgetBytes;
    if (need <= 0) return true;
    const evictable = files.filter((f) => !this.pinned.has(f.sha256)).sort((a, b) => a.usedAt - b.usedAt);
    const room = evictable.reduce((sum, f) => sum + f.bytes, 0);
    if (room < need) return false;
    let freed = 0;
    for (const file of evictable) {
      if (freed >= need) break;
      rmSync(file.path, { force: true });
      freed += file.bytes;
      used -= file.bytes;
      this.counters.evicted++;
      this.log.info({ sha256: file.sha256, bytes: file.bytes }, 'asset evicted (least recently used, unpinned)');
    }
    this.emit('changed');
    return true;
  }

  private files(): { sha256: string; path: string; bytes: number; usedAt: number; part: boolean }[] {
    if (!existsSync(this.options.dir)) return [];
    const out = [];
    for (const name of readdirSync(this.options.dir)) {
      const match = /^([0-9a-f]{64})\.(opus|part)$/.exec(name);
      if (!match?.[1]) continue;
      const path = join(this.options.dir, name);
      const stat = statSync(path);
      out.push({ sha256: match[1], path, bytes: stat.size, usedAt: stat.mtimeMs, part: match[2] === 'part' });
    }
    return out;
  }
}
