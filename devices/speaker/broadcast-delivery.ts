import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Logger } from '../../platform/log.ts';
import type { BroadcastManifest, ManifestAsset } from '../../protocol/broadcast/manifest.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
import { DeviceHttpsClient } from '../core/device-https-client.ts';
import type { DeviceRuntime } from '../core/device-runtime.ts';
import { ContentCache } from './content/content-cache.ts';
import { ManifestSync } from './content/manifest-sync.ts';
import { PlayLog } from './content/play-log.ts';
import type { SpeakerConfig } from './speaker-config.ts';

export interface BroadcastDeliveryEvents {
  /** A manifest became current (at start from disk, or downloaded): what the player plays from now on. */
  manifest: [manifest: BroadcastManifest];
}

/**
 * The speaker's side of broadcast delivery (issue 9 items 4 and 8), composed: `ManifestSync` follows the named shadow
 * `broadcast` and keeps the current manifest, `ContentCache` pins its assets and downloads what is missing, `PlayLog`
 * sends proof of play through the outbox. The player reads `current` / listens to `manifest`, finds files with
 * `pathOf`, and logs each play with `recordPlay`. The cache's state is reported into the shadow's `reported`.
 */
export class BroadcastDelivery extends EventEmitter<BroadcastDeliveryEvents> {
  readonly sync: ManifestSync;
  readonly cache: ContentCache;
  readonly plays: PlayLog;
  private readonly http: DeviceHttpsClient;
  private readonly onManifest = (manifest: BroadcastManifest) => {
    this.cache.pin(manifest);
    const error = this.cache.budgetError;
    if (error) this.sync.report({ manifestError: { version: manifest.version, code: error.code } });
    this.emit('manifest', manifest);
  };
  private readonly onCacheChanged = () => this.sync.report({ cache: this.cache.report() });

  constructor(core: DeviceRuntime, config: SpeakerConfig, credentials: DeviceCredentials, log: Logger) {
    super();
    const clock = core.clock;
    this.http = new DeviceHttpsClient(
      { host: config.endpoint.host, port: config.endpoint.contentPort, timeoutMs: config.broadcast.requestTimeoutMs },
      credentials,
    );
    const dir = join(config.dataDir, 'broadcast');
    this.cache = new ContentCache(
      { dir: join(dir, 'content'), budgetBytes: config.broadcast.cacheBudgetBytes },
      this.http,
      core.connection,
      log.child({ part: 'content-cache' }),
      clock,
    );
    this.sync = new ManifestSync(
      core.connection,
      this.http,
      config.thingName,
      dir,
      log.child({ part: 'manifest-sync' }),
      clock,
    );
    this.plays = new PlayLog(
      config.thingName,
      config.dataDir,
      core.outbox,
      core.connection,
      { batchDelayMs: config.broadcast.playBatchDelayMs },
      log.child({ part: 'play-log' }),
      clock,
    );
  }

  /** The manifest in use, if any. */
  get current(): BroadcastManifest | undefined {
    return this.sync.current;
  }

  /** After the core has started (the outbox is open). */
  start(): void {
    this.cache.on('changed', this.onCacheChanged);
    this.sync.on('manifest', this.onManifest);
    this.cache.start();
    this.plays.start();
    this.sync.start();
    this.onCacheChanged();
  }

  /** Before the core stops (the outbox is still open). */
  stop(): void {
    this.sync.off('manifest', this.onManifest);
    this.cache.off('changed', this.onCacheChanged);
    this.sync.stop();
    this.cache.stop();
    this.plays.stop();
  }

  /** The cached file of an asset, for the player; undefined while it is missing. */
  pathOf(sha256: string): string | undefined {
    return this.cache.pathOf(sha256);
  }

  /** Keeps the assets of live inserts and the emergency in the cache (fetched before the manifest's). */
  pinExtra(assets: readonly ManifestAsset[]): void {
    this.cache.pinExtra(assets);
  }

  /** Calls `listener` whenever a pinned asset arrives in the cache; returns the unsubscribe. */
  onReady(listener: (sha256: string) => void): () => void {
    this.cache.on('ready', listener);
    return () => this.cache.off('ready', listener);
  }

  recordPlay(play: PlayRecord): void {
    this.plays.record(play);
  }
}
