import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContentFiles, ManifestSource } from '../../fleet/broadcast/delivery/delivery-ports.ts';
import type { BroadcastManifest, ManifestAsset } from '../../protocol/broadcast/manifest.ts';

const DAY_MS = 86_400_000;

/**
 * The schedule part's port, faked: each speaker's assets are set by the test, and its manifest plays each once a
 * day of an 8-day horizon aligned to UTC days (so compiling twice in a day with nothing changed gives the same
 * content). `compiled` counts compilations per thing.
 */
export class FakeManifestSource implements ManifestSource {
  private readonly stores = new Map<string, string[]>();
  private readonly assets = new Map<string, ManifestAsset[]>();
  readonly compiled = new Map<string, number>();
  /** Applied to every compiled manifest: a test makes the compiler produce something broken. */
  tamper: ((manifest: Omit<BroadcastManifest, 'version'>) => Omit<BroadcastManifest, 'version'>) | undefined;

  setSpeakers(storeId: string, thingNames: string[]): void {
    this.stores.set(storeId, thingNames);
  }

  setAssets(thingName: string, assets: ManifestAsset[]): void {
    this.assets.set(thingName, assets);
  }

  speakersOf(storeId: string): string[] {
    return this.stores.get(storeId) ?? [];
  }

  compileForThing(thingName: string, from: number): Omit<BroadcastManifest, 'version'> {
    this.compiled.set(thingName, (this.compiled.get(thingName) ?? 0) + 1);
    const storeId = [...this.stores].find(([, things]) => things.includes(thingName))?.[0] ?? 'unknown';
    const start = Math.floor(from / DAY_MS) * DAY_MS;
    const assets = this.assets.get(thingName) ?? [];
    const manifest: Omit<BroadcastManifest, 'version'> = {
      thingName,
      storeId,
      timeZone: 'UTC',
      compiledAt: from,
      from: start,
      to: start + 8 * DAY_MS,
      assets,
      music: [],
      items: Array.from({ length: 8 }, (_, day) =>
        assets.map((a, k) => ({
          id: `item-${day}-${k}`,
          at: start + day * DAY_MS + 10 * 3_600_000 + k * 60_000,
          sha256: a.sha256,
          durationMs: a.durationMs,
          entry: 'overlay' as const,
          maxDelayMs: 0,
          campaignId: 'camp-1',
          reason: { layer: 'hq_campaign' as const, source: 'camp-1' },
        })),
      ).flat(),
      volume: [{ from: start, to: start + 8 * DAY_MS, volume: 60 }],
      promo: null,
      minGapMs: 0,
    };
    return this.tamper ? this.tamper(manifest) : manifest;
  }
}

/** The content library's port, faked with real files in a temp dir. */
export class FakeContentFiles implements ContentFiles {
  private readonly files = new Map<string, string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Stores `bytes` as an asset (any bytes: delivery never decodes them) and returns its manifest entry. */
  add(bytes: Buffer, title = 'test asset'): ManifestAsset {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = join(this.dir, `${sha256}.opus`);
    writeFileSync(path, bytes);
    this.files.set(sha256, path);
    return { sha256, bytes: bytes.length, durationMs: 5000, title, kind: 'speech' };
  }

  pathOf(sha256: string): string | undefined {
    return this.files.get(sha256);
  }
}
