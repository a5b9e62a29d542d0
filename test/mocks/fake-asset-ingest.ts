import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { durationMs, readMonoWav } from '../../broadcast/announcer/wav.ts';
import type { AssetIngest, AssetIngestMeta, IngestedAsset } from '../../fleet/broadcast/announcer/asset-ingest.ts';
import { type ErrorCode, FleetError } from '../../protocol/errors.ts';

/**
 * The content library's `ingestFile` without ffmpeg: hashes the WAV it is given (it must still exist when called),
 * answers its duration and the target loudness, and keeps what it ingested. `refuseNext(code)` makes the next call
 * refuse as the library would (AUDIO_SILENT, AUDIO_NORMALISATION_FAILED, ...).
 */
export class FakeAssetIngest implements AssetIngest {
  readonly ingested: { path: string; meta: AssetIngestMeta; asset: IngestedAsset; bytes: number }[] = [];
  private refusal: ErrorCode | undefined;

  refuseNext(code: ErrorCode): void {
    this.refusal = code;
  }

  async ingestFile(path: string, meta: AssetIngestMeta): Promise<IngestedAsset> {
    if (!existsSync(path)) throw new Error(`fake ingest: ${path} does not exist`);
    const bytes = readFileSync(path);
    if (this.refusal) {
      const code = this.refusal;
      this.refusal = undefined;
      throw new FleetError(code, 'fake ingest told to refuse');
    }
    const asset: IngestedAsset = {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      durationMs: durationMs(readMonoWav(bytes)),
      integratedLufs: -16,
      title: meta.title,
    };
    this.ingested.push({ path, meta, asset, bytes: bytes.length });
    return asset;
  }
}
