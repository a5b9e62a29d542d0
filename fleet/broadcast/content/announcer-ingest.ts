import type { AssetIngest } from '../announcer/asset-ingest.ts';
import type { ContentLibrary } from './content-library.ts';

/**
 * The content library as the announcer's `AssetIngest` port (fleet/broadcast/announcer/asset-ingest.ts), which
 * reads the stored loudness flat (`integratedLufs`) where `ContentAsset` nests it (`loudness.integratedLufs`).
 * Wiring: `new Announcer({ ..., ingest: announcerIngest(content) }, ...)`.
 */
export function announcerIngest(library: ContentLibrary): AssetIngest {
  return {
    async ingestFile(path, meta) {
      const asset = await library.ingestFile(path, meta);
      return {
        sha256: asset.sha256,
        durationMs: asset.durationMs,
        integratedLufs: asset.loudness.integratedLufs,
        title: asset.title,
      };
    },
  };
}
