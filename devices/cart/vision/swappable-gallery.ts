import { readFile } from 'node:fs/promises';
import type { GalleryHost } from '../../../ota/agent/components/gallery.ts';
import type { Logger } from '../../../platform/log.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { type GalleryHeader, galleryModelProblems, type RunningModel } from '../../../protocol/vision/gallery.ts';
import { type DecodedGallery, decodeGallery, thumbnailMediaType } from '../../../vision/gallery/gallery-file.ts';
import type { GalleryMatch, RowFilter } from '../../../vision/gallery/gallery-search.ts';
import { OnnxGalleryIndex } from '../../../vision/gallery/onnx-gallery-index.ts';

/** Rows of its own a gallery is searched for before it is taken (first, middle, last...). */
const SELF_SEARCH_ROWS = 4;
/** Float32 dot products of a row with itself land within a few ulps of each other. */
const SELF_SEARCH_SLACK = 1e-5;

interface Loaded {
  file: string;
  decoded: DecodedGallery;
  index: OnnxGalleryIndex;
  rowOf: Map<string, number>;
  /** Searches running on it: a swapped-out gallery is closed after its last one. */
  users: number;
  retired: boolean;
}

/** One search's answer with what the screen and the log need of the gallery that gave it. */
export interface GalleryAnswer {
  matches: GalleryMatch[];
  header: GalleryHeader;
}

export interface SwappableGalleryDeps {
  /** The model the cart runs now (null: none active): what a gallery must have been built with. */
  runningModel(): RunningModel | null;
  /** The cart's store (from its pricing snapshot; null while it has none: the store is not checked then). */
  storeId(): string | null;
  log: Logger;
  /** onnxruntime threads of the search (default 1: the other core is the screen's). */
  threads?: number;
}

/**
 * The cart's store gallery, swapped in while it serves (as SwappableModel does for the model): a new version is
 * read, checked and opened beside the current one, then every new search goes to it, and the old one is closed after
 * the searches it already has. A gallery that does not check (GALLERY_INVALID, GALLERY_MODEL_MISMATCH) is refused and
 * the current one keeps serving. Whether the active gallery still fits the model (a model release may arrive later)
 * is `modelProblems()`: the recognizer asks before every search and never searches across embedding spaces.
 */
export class SwappableGallery implements GalleryHost {
  private active: Loaded | undefined;
  private swapping: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  constructor(private readonly deps: SwappableGalleryDeps) {}

  /** The active gallery's header (null: none installed). */
  get header(): GalleryHeader | null {
    return this.active?.decoded.header ?? null;
  }

  /** Why the active gallery cannot serve the running model now; empty when it can. */
  modelProblems(): string[] {
    const header = this.header;
    if (!header) return ['no gallery is installed'];
    const running = this.deps.runningModel();
    if (!running) return ['no model is active'];
    return galleryModelProblems(header.model, running);
  }

  /** Called after each gallery swapped in; returns the unsubscribe. */
  onSwap(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async check(file: string): Promise<void> {
    const loaded = await this.load(file);
    await loaded.index.close();
  }

  swap(file: string): Promise<void> {
    const next = this.swapping.then(() => this.swapNow(file));
    this.swapping = next.catch(() => undefined);
    return next;
  }

  /**
   * The `k` products most similar to `query` in the active gallery, with its header. GALLERY_UNAVAILABLE without a
   * gallery; GALLERY_MODEL_MISMATCH when it does not fit the running model (or the query's size).
   */
  async search(query: Float32Array, k: number, allow?: RowFilter): Promise<GalleryAnswer> {
    const loaded = this.active;
    if (!loaded) throw new FleetError('GALLERY_UNAVAILABLE', 'no gallery is installed');
    const problems = this.modelProblems();
    if (problems.length > 0) throw new FleetError('GALLERY_MODEL_MISMATCH', problems.join('; '), { problems });
    loaded.users++;
    try {
      return { matches: await loaded.index.search(query, k, allow), header: loaded.decoded.header };
    } finally {
      loaded.users--;
      if (loaded.retired && loaded.users === 0) void this.close(loaded);
    }
  }

  /** A product's thumbnail in the active gallery as a data URL for the screen (null: none, or not in it). */
  thumbnailUrl(sku: string): string | null {
    const loaded = this.active;
    const row = loaded?.rowOf.get(sku);
    if (!loaded || row === undefined) return null;
    const bytes = loaded.decoded.thumbnail(row);
    const type = bytes ? thumbnailMediaType(bytes) : null;
    return bytes && type ? `data:${type};base64,${bytes.toString('base64')}` : null;
  }

  /** Takes swaps again after a stop() (a runtime restarted in process stops and starts its parts). */
  start(): void {
    this.stopped = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.swapping;
    const active = this.active;
    this.active = undefined;
    if (active) {
      active.retired = true;
      if (active.users === 0) await this.close(active);
    }
  }

  private async swapNow(file: string): Promise<void> {
    if (this.stopped) throw new FleetError('GALLERY_UNAVAILABLE', 'the gallery host is stopped');
    const loaded = await this.load(file);
    const previous = this.active;
    this.active = loaded;
    const { header } = loaded.decoded;
    this.deps.log.info(
      { storeId: header.storeId, version: header.version, products: loaded.decoded.rows },
      'gallery swapped in',
    );
    if (previous) {
      previous.retired = true;
      if (previous.users === 0) await this.close(previous);
    }
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.deps.log.error({ err: (err as Error).message }, 'a gallery swap listener failed');
      }
    }
  }

  /** Reads, checks and opens a gallery file; throws the coded refusal and leaves nothing open. */
  private async load(file: string): Promise<Loaded> {
    const decoded = decodeGallery(await readFile(file));
    const { header } = decoded;
    const running = this.deps.runningModel();
    // No model yet: the gallery is kept and waits for one (recognition stays paused until they match).
    const problems = running ? galleryModelProblems(header.model, running) : [];
    if (problems.length > 0) throw new FleetError('GALLERY_MODEL_MISMATCH', problems.join('; '), { problems });
    const store = this.deps.storeId();
    if (store !== null && header.storeId !== store)
      throw new FleetError('GALLERY_INVALID', `the gallery is store ${header.storeId}'s, this cart is in ${store}`, {
        problem: 'store',
      });
    const index = await OnnxGalleryIndex.open(decoded, { threads: this.deps.threads ?? 1 });
    try {
      await selfSearch(decoded, index);
    } catch (err) {
      await index.close();
      throw err;
    }
    const rowOf = new Map(header.products.map((p, row) => [p.sku, row]));
    return { file, decoded, index, rowOf, users: 0, retired: false };
  }

  private async close(loaded: Loaded): Promise<void> {
    try {
      await loaded.index.close();
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'a retired gallery did not close');
    }
  }
}

/**
 * A few rows searched with their own prototype must come back first (or tied with the first: two products enrolled
 * from the same photos). A gallery whose matrix the search reads differently from the header (a damaged file that
 * still parses, an index built wrongly) fails here rather than on a shopper's item.
 */
async function selfSearch(decoded: DecodedGallery, index: OnnxGalleryIndex): Promise<void> {
  const { rows, dimension, matrix } = decoded;
  const sample = [
    ...new Set(
      Array.from({ length: Math.min(rows, SELF_SEARCH_ROWS) }, (_, i) =>
        Math.round((i * (rows - 1)) / Math.max(1, SELF_SEARCH_ROWS - 1)),
      ),
    ),
  ];
  for (const row of sample) {
    const query = matrix.subarray(row * dimension, (row + 1) * dimension);
    const matches = await index.search(query, 2);
    const first = matches[0];
    const own = matches.find((m) => m.row === row) ?? (first && first.row === row ? first : undefined);
    if (!first || (first.row !== row && !(own && first.similarity - own.similarity <= SELF_SEARCH_SLACK)))
      throw new FleetError(
        'GALLERY_INVALID',
        `a search with row ${row}'s own prototype found row ${first?.row ?? 'none'} first`,
        { problem: 'row' },
      );
  }
}
