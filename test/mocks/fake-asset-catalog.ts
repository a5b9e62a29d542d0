import { createHash } from 'node:crypto';
import type { AssetCatalog } from '../../broadcast/schedule/compile-input.ts';
import type { AssetKind } from '../../protocol/broadcast/layers.ts';

type CatalogAsset = NonNullable<ReturnType<AssetCatalog['get']>>;

/** The content library as the schedule compiler sees it, in memory: assets added by name, found by sha256. */
export class FakeAssetCatalog implements AssetCatalog {
  private readonly assets = new Map<string, CatalogAsset>();

  /** Adds an asset named `title` (its sha256 is the title's) and returns its sha256. */
  add(title: string, kind: AssetKind, durationMs: number, bytes = Math.ceil(durationMs * 8)): string {
    const sha256 = shaOf(title);
    this.assets.set(sha256, { sha256, bytes, durationMs, title, kind });
    return sha256;
  }

  get(sha256: string): CatalogAsset | undefined {
    return this.assets.get(sha256);
  }

  delete(sha256: string): void {
    this.assets.delete(sha256);
  }
}

/** The sha256 a fake asset named `title` has. */
export function shaOf(title: string): string {
  return createHash('sha256').update(title).digest('hex');
}
