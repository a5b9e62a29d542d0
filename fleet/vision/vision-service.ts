import type { Clock } from '../../platform/clock.ts';
import {
  DEFAULT_ACCURACY_RANGE_MS,
  type FieldAccuracyReport,
  MAX_ACCURACY_RECORDS,
  type RecognitionRecordPage,
  type RecognitionRecordQuery,
  type StoreVision,
} from '../../protocol/api/vision.ts';
import { FleetError } from '../../protocol/errors.ts';
import { fieldAccuracy } from '../../vision/fusion/accuracy.ts';
import { cartVision } from './cart-vision.ts';
import type { EmbeddingModels } from './embedding-models.ts';
import type { GalleryBuildScheduler } from './gallery-build-scheduler.ts';
import type { GalleryBuilds } from './gallery-builds.ts';
import type { GalleryEnrolment } from './gallery-enrolment.ts';
import type { GalleryRepository } from './gallery-repository.ts';
import type { PhotoEmbedder } from './photo-embedder.ts';
import type { PhotoFiles } from './photo-files.ts';
import type { PhotoOptInSync } from './photo-opt-in.ts';
import type { RecognitionIngest } from './recognition-ingest.ts';
import type { RecognitionRepository } from './recognition-repository.ts';
import type { VisionChanges } from './vision-changes.ts';

/** What the vision view reads of the registry, presence and shadows. */
export interface VisionFleetView {
  storeExists(storeId: string): boolean;
  cartsOf(storeId: string): string[];
  online(thingName: string): boolean;
  otaReported(thingName: string): unknown;
}

/**
 * Product recognition on the fleet (issue 11 items 4, 7, 8), its parts made together (`fleet/vision-composition.ts`):
 * enrolment, gallery builds and their debounced scheduler, the recognition record ingest, and the reads the API
 * serves (the store's vision view, records, field accuracy).
 */
export class VisionService {
  constructor(
    readonly parts: {
      repository: GalleryRepository;
      records: RecognitionRepository;
      files: PhotoFiles;
      models: EmbeddingModels;
      embedder: PhotoEmbedder;
      enrolment: GalleryEnrolment;
      builds: GalleryBuilds;
      changes: VisionChanges;
      scheduler: GalleryBuildScheduler;
      ingest: RecognitionIngest;
      optIn: PhotoOptInSync;
      fleet: VisionFleetView;
      clock: Clock;
    },
  ) {}

  get enrolment(): GalleryEnrolment {
    return this.parts.enrolment;
  }

  get builds(): GalleryBuilds {
    return this.parts.builds;
  }

  async start(): Promise<void> {
    await this.parts.files.start();
    this.parts.ingest.start();
    this.parts.scheduler.start();
    await this.parts.optIn.start();
  }

  async stop(): Promise<void> {
    this.parts.changes.stop();
    this.parts.optIn.stop();
    this.parts.ingest.stop();
    await this.parts.scheduler.stop();
    await this.parts.embedder.stop();
  }

  storeVision(storeId: string): StoreVision {
    const { parts } = this;
    if (!parts.fleet.storeExists(storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    let model: StoreVision['model'] = null;
    let modelProblem: string | null = null;
    try {
      const m = parts.models.current();
      model = { name: m.name, version: m.version, embeddingSize: m.embeddingSize, source: m.source };
    } catch (err) {
      modelProblem = (err as Error).message;
    }
    const latest = parts.repository.latestVersion(storeId);
    const state = parts.repository.state(storeId);
    return {
      storeId,
      model,
      modelProblem,
      latestVersion: latest ? parts.builds.view(latest) : null,
      products: parts.enrolment.counts(storeId),
      pendingContributions: parts.repository.pendingContributions(storeId),
      changedSinceLatest: state.changeSeq > (latest?.changeSeq ?? 0),
      nextBuildAt: parts.scheduler.nextBuildAt(storeId),
      settings: parts.enrolment.settings(storeId),
      carts: parts.fleet
        .cartsOf(storeId)
        .map((thing) => cartVision(thing, parts.fleet.online(thing), parts.fleet.otaReported(thing))),
    };
  }

  records(storeIds: string[] | null, query: RecognitionRecordQuery): RecognitionRecordPage {
    const { from, to } = this.range(query.from, query.to);
    return this.parts.records.list(
      { storeIds, from, to, thingName: query.thingName, sku: query.sku, decision: query.decision },
      query.limit ?? 50,
      query.offset ?? 0,
    );
  }

  /** Field accuracy over a range (default: the last 7 days) of the stores given (null: the chain). */
  accuracy(
    storeIds: string[] | null,
    reportStoreId: string | null,
    range: { from?: number; to?: number },
  ): FieldAccuracyReport {
    const { from, to } = this.range(range.from, range.to);
    const { records, truncated } = this.parts.records.records({ storeIds, from, to }, MAX_ACCURACY_RECORDS);
    const figures = fieldAccuracy(records);
    return { storeId: reportStoreId, from, to, records: records.length, truncated, ...figures };
  }

  private range(from: number | undefined, to: number | undefined): { from: number; to: number } {
    const end = to ?? this.parts.clock.now() + 1;
    const start = from ?? end - DEFAULT_ACCURACY_RANGE_MS;
    if (start >= end) throw new FleetError('BAD_REQUEST', '`from` must be before `to`');
    return { from: start, to: end };
  }
}
