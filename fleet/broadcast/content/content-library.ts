import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LoudnessNormaliser, type LoudnessTarget, ProcessSlots } from '../../../broadcast/loudness/index.ts';
import type { Clock } from '../../../platform/clock.ts';
import { resolveFfmpeg } from '../../../platform/ffmpeg-binary.ts';
import type { Logger } from '../../../platform/log.ts';
import type { AssetOrigin, ContentAsset } from '../../../protocol/api/content.ts';
import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';
import type { AssetKind } from '../../../protocol/broadcast/layers.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { Database } from '../../storage/database.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import { type AssetFilter, AssetRepository, type AssetVisibility } from './asset-repository.ts';
import { type SpooledUpload, sha256OfFile, spoolUpload } from './upload-spool.ts';

export type { ContentAsset } from '../../../protocol/api/content.ts';

export interface ContentLibraryOptions {
  dataDir: string;
  /** `broadcast.ffmpegPath`: null resolves as platform/ffmpeg-binary.ts says. */
  ffmpegPath: string | null;
  maxUploadBytes: number;
  maxDurationMs: number;
  loudness: LoudnessTarget;
  /** ffmpeg processes at once (2: the machine's cores). */
  ffmpegProcesses?: number;
  writeDeadlineMs?: number;
}

/** What the library asks of the rest of the fleet. */
export interface ContentLibraryPorts {
  /** Whether a schedule, campaign or manifest still needs the asset: removing it then is ASSET_IN_USE. */
  isInUse?: (sha256: string) => boolean;
}

export interface IngestMeta {
  title: string;
  kind: AssetKind;
  origin: AssetOrigin;
  /** The store the asset belongs to; `null` for chain-wide (HQ) content. */
  storeId: string | null;
  createdBy: string | null;
}

export interface IngestResult {
  asset: ContentAsset;
  /** The same upload was already in the library: nothing was normalised again. */
  deduplicated: boolean;
}

/**
 * The fleet's audio content library (issue 9 item 1): every upload and announcer asset normalised to the loudness
 * target in the device format, stored content-addressed under `{dataDir}/broadcast/assets/{sha256}.opus`, with its
 * row in `broadcast_assets` (migration 26). The upload's own sha256 is kept too, so the same file uploaded again is
 * answered from the library without normalising.
 *
 * A file is moved into the store (same file system: an atomic rename) before its row is written, and removed after
 * its row is deleted, so a row never names a missing file; a crash can at worst leave an orphan file, which start()
 * removes with the temp files.
 */
export class ContentLibrary {
  readonly repository: AssetRepository;
  private normaliser: LoudnessNormaliser | undefined;
  private readonly slots: ProcessSlots;
  private readonly inFlight = new Map<string, Promise<ContentAsset>>();
  private counts = { normalised: 0, deduplicated: 0 };
  private started = false;

  constructor(
    readonly options: ContentLibraryOptions,
    db: Database,
    private readonly writer: DatabaseWriter,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** Set by the schedule part once it runs (fleet-server.ts), so removal can answer ASSET_IN_USE. */
    readonly ports: ContentLibraryPorts = {},
  ) {
    this.repository = new AssetRepository(db);
    this.slots = new ProcessSlots(options.ffmpegProcesses ?? 2);
  }

  get assetsDir(): string {
    return join(this.options.dataDir, 'broadcast', 'assets');
  }

  /** Uploads and normalisation work files; emptied at start. */
  get tempDir(): string {
    return join(this.options.dataDir, 'broadcast', 'tmp');
  }

  async start(): Promise<void> {
    await mkdir(this.assetsDir, { recursive: true });
    await rm(this.tempDir, { recursive: true, force: true });
    await mkdir(this.tempDir, { recursive: true });
    await this.removeOrphans();
    this.started = true;
  }

  /** Kills the ffmpeg processes still running: their ingests fail, their temp files are removed. */
  stop(): void {
    this.started = false;
    this.normaliser?.stop();
    this.normaliser = undefined;
  }

  /** Normalisations made and uploads answered from the library since start. */
  stats(): { normalised: number; deduplicated: number } {
    return { ...this.counts };
  }

  /**
   * Normalises the audio at `path` into the library (or finds it there) and answers its asset. The caller's file
   * stays the caller's. For the announcer and for fleet code; the HTTP upload comes through {@link receive}.
   */
  async ingestFile(path: string, meta: IngestMeta): Promise<ContentAsset> {
    const digest = await sha256OfFile(path);
    if (digest.bytes === 0) throw new FleetError('AUDIO_EMPTY', 'the audio file is empty');
    return (await this.ingest(path, digest, meta)).asset;
  }

  /** An upload streamed straight from the request: spooled to a temp file (AUDIO_TOO_LARGE past the limit), ingested. */
  async receive(source: Readable, meta: IngestMeta): Promise<IngestResult> {
    this.requireStarted();
    const upload = await spoolUpload(source, this.tempDir, this.options.maxUploadBytes);
    try {
      if (upload.bytes === 0) throw new FleetError('AUDIO_EMPTY', 'the upload is empty');
      return await this.ingest(upload.path, upload, meta);
    } finally {
      await rm(upload.path, { force: true });
    }
  }

  get(sha256: string): ContentAsset | undefined {
    return this.repository.get(sha256);
  }

  list(filter: AssetFilter, visibility: AssetVisibility = null): { items: ContentAsset[]; total: number } {
    return this.repository.list(filter, visibility);
  }

  /** The stored file of an asset, for serving and for the manifests' downloads. */
  pathOf(sha256: string): string | undefined {
    if (!/^[0-9a-f]{64}$/.test(sha256) || !this.repository.get(sha256)) return undefined;
    return this.filePath(sha256);
  }

  /** Removes the asset and its file: ASSET_NOT_FOUND, or ASSET_IN_USE while a schedule needs it. */
  async remove(sha256: string): Promise<ContentAsset> {
    const asset = await this.writer.write(
      'content.remove',
      () => {
        const found = this.repository.get(sha256);
        if (!found) throw new FleetError('ASSET_NOT_FOUND', `no asset ${sha256}`);
        if (this.ports.isInUse?.(sha256)) {
          throw new FleetError('ASSET_IN_USE', 'a schedule still plays this asset: take it out of the schedule first');
        }
        this.repository.delete(sha256);
        return found;
      },
      this.writeOptions(),
    );
    await rm(this.filePath(sha256), { force: true });
    return asset;
  }

  /**
   * What a store-scoped person's "delete" means: their store's claim goes. The owning store's manager deletes the
   * asset unless other stores share it (then the first of them becomes its owner); a store that only shares it drops
   * its share. Chain-wide content is HQ's to delete (NOT_AUTHORIZED).
   */
  async removeForStores(
    sha256: string,
    stores: ReadonlySet<string>,
  ): Promise<{ asset: ContentAsset; removed: boolean }> {
    const asset = this.repository.get(sha256);
    if (!asset || !visibleTo(asset, stores)) throw new FleetError('ASSET_NOT_FOUND', `no asset ${sha256}`);
    if (asset.storeId === null) throw new FleetError('NOT_AUTHORIZED', 'chain-wide content is removed by HQ');
    const nextOwner = asset.sharedWith.find((s) => !stores.has(s));
    if (stores.has(asset.storeId) && nextOwner === undefined) {
      return { asset: await this.remove(sha256), removed: true };
    }
    await this.writer.write(
      'content.unshare',
      () => {
        for (const store of asset.sharedWith) if (stores.has(store)) this.repository.unshare(sha256, store);
        if (stores.has(asset.storeId as string) && nextOwner !== undefined) {
          this.repository.unshare(sha256, nextOwner);
          this.repository.update(sha256, { storeId: nextOwner }, this.clock.now());
        }
      },
      this.writeOptions(),
    );
    return { asset, removed: false };
  }

  /** Changes the title or kind. */
  async update(
    sha256: string,
    change: { title?: string | undefined; kind?: AssetKind | undefined },
  ): Promise<ContentAsset> {
    return this.writer.write(
      'content.update',
      () => {
        if (!this.repository.get(sha256)) throw new FleetError('ASSET_NOT_FOUND', `no asset ${sha256}`);
        this.repository.update(
          sha256,
          {
            ...(change.title !== undefined ? { title: change.title } : {}),
            ...(change.kind ? { kind: change.kind } : {}),
          },
          this.clock.now(),
        );
        return this.repository.get(sha256) as ContentAsset;
      },
      this.writeOptions(),
    );
  }

  private async ingest(
    path: string,
    digest: { sha256: string; bytes: number },
    meta: IngestMeta,
  ): Promise<IngestResult> {
    this.requireStarted();
    const known = this.repository.byInput(digest.sha256);
    if (known) {
      this.counts.deduplicated++;
      return { asset: await this.claim(known, meta), deduplicated: true };
    }
    // The same upload arriving twice at once is normalised once; the second waits for the first.
    const running = this.inFlight.get(digest.sha256);
    if (running) {
      const asset = await running;
      this.counts.deduplicated++;
      return { asset: await this.claim(asset, meta), deduplicated: true };
    }
    const work = this.normaliseAndStore(path, digest, meta);
    this.inFlight.set(digest.sha256, work);
    try {
      const asset = await work;
      return { asset, deduplicated: asset.input.sha256 !== digest.sha256 };
    } finally {
      this.inFlight.delete(digest.sha256);
    }
  }

  private async normaliseAndStore(
    path: string,
    digest: { sha256: string; bytes: number },
    meta: IngestMeta,
  ): Promise<ContentAsset> {
    const workDir = await mkdtemp(join(this.tempDir, 'job-'));
    try {
      const outPath = join(workDir, `normalised.${DEVICE_AUDIO_FORMAT.extension}`);
      const result = await this.normaliserOf().normalise(path, outPath, workDir);
      // Stopped after the last ffmpeg pass but before storing: nothing is stored after stop() either.
      this.requireStarted();
      this.counts.normalised++;
      const stored = await sha256OfFile(outPath);
      const existing = this.repository.get(stored.sha256);
      // Another upload (another container of the same audio) already normalised to the very same bytes.
      if (existing) return await this.claim(existing, meta);
      this.requireStarted();
      await rename(outPath, this.filePath(stored.sha256));
      const now = this.clock.now();
      const asset: ContentAsset = {
        sha256: stored.sha256,
        title: meta.title,
        kind: meta.kind,
        origin: meta.origin,
        bytes: stored.bytes,
        durationMs: Math.max(1, result.durationMs),
        loudness: finite(result.output),
        input: { sha256: digest.sha256, bytes: digest.bytes, loudness: finite(result.input) },
        gainDb: result.gainDb,
        limited: result.limited,
        waveform: result.waveform,
        storeId: meta.storeId,
        sharedWith: [],
        audioUrl: '',
        createdBy: meta.createdBy,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await this.writer.write('content.insert', () => this.repository.insert(asset), this.writeOptions());
      } catch (err) {
        await rm(this.filePath(stored.sha256), { force: true });
        throw err;
      }
      this.log.info(
        {
          sha256: asset.sha256,
          durationMs: asset.durationMs,
          inputLufs: asset.input.loudness.integratedLufs,
          lufs: asset.loudness.integratedLufs,
          gainDb: asset.gainDb,
          passes: result.gainPasses,
        },
        'content normalised',
      );
      return this.repository.get(asset.sha256) as ContentAsset;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /**
   * The asset as the new uploader's scope sees it: HQ uploading a store's audio makes it chain-wide; another store
   * uploading it gets a share.
   */
  private async claim(asset: ContentAsset, meta: IngestMeta): Promise<ContentAsset> {
    if (asset.storeId === null || asset.storeId === meta.storeId) return asset;
    if (meta.storeId !== null && asset.sharedWith.includes(meta.storeId)) return asset;
    return this.writer.write(
      'content.claim',
      () => {
        if (meta.storeId === null) this.repository.update(asset.sha256, { storeId: null }, this.clock.now());
        else this.repository.share(asset.sha256, meta.storeId);
        return this.repository.get(asset.sha256) as ContentAsset;
      },
      this.writeOptions(),
    );
  }

  private normaliserOf(): LoudnessNormaliser {
    if (!this.normaliser) {
      // Resolved at the first ingest, not at start: a fleet without ffmpeg still runs, and answers uploads with
      // FFMPEG_UNAVAILABLE.
      const ffmpeg = resolveFfmpeg(this.options.ffmpegPath);
      this.log.info({ ffmpeg: ffmpeg.path, source: ffmpeg.source }, 'ffmpeg resolved');
      this.normaliser = new LoudnessNormaliser({
        ffmpegPath: ffmpeg.path,
        target: this.options.loudness,
        maxDurationMs: this.options.maxDurationMs,
        slots: this.slots,
      });
    }
    return this.normaliser;
  }

  private filePath(sha256: string): string {
    return join(this.assetsDir, `${sha256}.${DEVICE_AUDIO_FORMAT.extension}`);
  }

  private writeOptions() {
    return this.options.writeDeadlineMs !== undefined ? { deadlineMs: this.options.writeDeadlineMs } : {};
  }

  private requireStarted(): void {
    if (!this.started) throw new FleetError('STORAGE_BUSY', 'the content library is not running');
  }

  /** Files without a row: left by a crash between the rename and the insert. */
  private async removeOrphans(): Promise<void> {
    for (const name of await readdir(this.assetsDir)) {
      const sha = name.slice(0, 64);
      if (!name.endsWith(`.${DEVICE_AUDIO_FORMAT.extension}`) || !this.repository.get(sha)) {
        if (existsSync(join(this.assetsDir, name))) await rm(join(this.assetsDir, name), { force: true });
        this.log.warn({ file: name }, 'removed a content file without a library row');
      }
    }
  }
}

/** Whether a store-scoped person sees the asset: chain content, their store's, or shared with one of their stores. */
export function visibleTo(asset: ContentAsset, stores: AssetVisibility): boolean {
  if (stores === null || asset.storeId === null) return true;
  return stores.has(asset.storeId) || asset.sharedWith.some((s) => stores.has(s));
}

/** JSON has no -Infinity: a digital silence's true peak is stored as −200 dBTP. */
function finite(m: { integratedLufs: number; truePeakDbtp: number }) {
  return { integratedLufs: m.integratedLufs, truePeakDbtp: Math.max(-200, m.truePeakDbtp) };
}

export type { AssetFilter, AssetVisibility, SpooledUpload };
