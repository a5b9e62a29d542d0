import { randomUUID } from 'node:crypto';
import type { ToleranceDefaults } from '../../../commerce/weight-expectation.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import type { Product } from '../../../protocol/commerce/catalog.ts';
import type { LocalizedText } from '../../../protocol/commerce/text.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import type {
  RecognitionDecision,
  RecognitionEvidence,
  RecognitionOutcome,
  RecognitionRecord,
  RecognitionTrigger,
} from '../../../protocol/vision/recognition.ts';
import type { Camera, CameraFrame } from '../../../vision/camera/camera.ts';
import { decide, type FusionPolicy, modelFusionPolicy } from '../../../vision/fusion/fusion-policy.ts';
import { weightPlausible } from '../../../vision/fusion/weight-gate.ts';
import {
  CAMERA_CROPS,
  type EmbeddingModel,
  type FrameCandidates,
  type FrameCrops,
  frameCandidates,
  type ProductGallery,
} from './frame-embedder.ts';
import { cartFusionCatalog } from './fusion-catalog.ts';
import type { RecognitionLog } from './recognition-log.ts';
import { type VisionStatus, visionStatus } from './vision-status.ts';

/** One option the screen shows for the shopper to pick: name, photo, how likely. */
export interface RecognitionOption {
  sku: string;
  name: LocalizedText;
  plu: string | null;
  confidence: number;
  /** The gallery's thumbnail as a data URL (null: the gallery has none). */
  thumbnail: string | null;
}

/** A decision the shopper finishes: pick one of these (or scan), or choose the suggested produce. */
export interface RecognitionOffer {
  decisionId: string;
  kind: 'pick' | 'suggest-produce';
  /** The unexplained increase it is about: the basket adds the chosen one by this weight. */
  deltaG: number;
  options: RecognitionOption[];
}

/** What the shop does with a decision (CartShop). */
export interface RecognitionActions {
  /** `add`: the line, confirmed by `deltaG`; its id, or null when the basket refused (it moved on, the weight). */
  addRecognized(sku: string, deltaG: number): string | null;
  offer(offer: RecognitionOffer): void;
}

/** Where a barcode-confirmed drop's crop goes when the store opted in (PhotoContributor). */
export interface PhotoSink {
  contribute(recordId: string, crop: { rgb: Uint8Array; size: number }): void;
}

export interface ProductRecognizerDeps {
  thingName: string;
  /** null: the cart has no camera (barcode-only). */
  camera: Camera | null;
  /** The crop arithmetic; unset: the camera folder's ({@link CAMERA_CROPS}). */
  crops?: FrameCrops;
  model: EmbeddingModel;
  gallery: ProductGallery;
  product(sku: string): Product | undefined;
  storeId(): string | null;
  zoneId(): string | null;
  actions: RecognitionActions;
  records: RecognitionLog;
  photos?: PhotoSink;
  clock: Clock;
  log: Logger;
  tolerance: ToleranceDefaults;
  /** The fusion rule's settings; unset: the defaults with the running model's calibration (`modelFusionPolicy`). */
  policy?: FusionPolicy;
  /**
   * Where the trip's records still waiting for their outcome are kept (a ShopJournal): a cart restarted mid-trip
   * still sends each one's outcome (accepted at checkout, removed, picked) instead of leaving it unknown for good.
   */
  journal?: RecognitionJournal;
  /** The trip the open records belong to (the shop's session); saved ones of another trip are not brought back. */
  sessionId?: () => string | null;
}

/** What the journal holds: the trip and its open records. */
export interface OpenRecognitions {
  sessionId: string | null;
  open: Open[];
}

export interface RecognitionJournal {
  load(): OpenRecognitions | null;
  save(value: OpenRecognitions): void;
  clear(): void;
}

/** The journal's file in the cart's data folder. */
export const OPEN_RECOGNITIONS_FILE = 'recognitions-open.json';

/**
 * What one settle of the scale captured: the frame (null: the camera failed) and the one before it. Both are
 * promises: a drop can settle before the previous settle's capture has come back (a push, then a drop at once), and
 * its crop must still be taken against that frame, not fall back to the centre.
 */
interface SettleFrames {
  frame: Promise<CameraFrame | null>;
  before: Promise<CameraFrame | null> | null;
  captureMs: Promise<number>;
}

/** A record whose outcome is not known yet, and what resolves it. */
export interface Open {
  record: RecognitionRecord;
  deltaG: number;
  /** The line an `add` made: removed before checkout → `removed`, still there → `accepted`. */
  lineId: string | null;
}

/**
 * Product recognition on the cart (issue 11 items 5–7): when the basket settles on an increase nothing scanned
 * explains, the frame of that settle is cropped where it changed since the previous settle, embedded, searched in
 * the store's gallery and decided with the fusion rule (vision × weight × zone, `vision/fusion/`); the decision is
 * acted on through the shop (add, the pick screen, the produce suggestion; a scan prompt is the basket's own) and
 * logged with its evidence, then logged again with its outcome. Barcode-confirmed drops are logged too (with whether
 * vision agreed), and their crops contributed where the store opted in. The camera, the model and the gallery each
 * may be missing or failing: recognition steps aside (`status()`), the basket works by barcode as without it, and
 * nothing here ever throws at the shopper.
 */
export class ProductRecognizer {
  private current: SettleFrames | null = null;
  private lastFrame: Promise<CameraFrame | null> | null = null;
  private readonly open = new Map<string, Open>();
  private readonly work = new Set<Promise<void>>();
  private readonly offs: (() => void)[] = [];
  private readonly statusListeners = new Set<(status: VisionStatus) => void>();
  private state: VisionStatus = { state: 'barcode-only', reason: 'not started' };
  private contributing = false;

  constructor(private readonly deps: ProductRecognizerDeps) {}

  start(): void {
    this.restoreOpen();
    const refresh = () => this.refreshStatus();
    if (this.deps.camera) this.offs.push(this.deps.camera.onStatus(refresh));
    this.offs.push(this.deps.model.onSwap(refresh), this.deps.gallery.onSwap(refresh));
    this.refreshStatus();
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    await this.idle();
    this.current = null;
    this.lastFrame = null;
    this.open.clear();
  }

  status(): VisionStatus {
    return this.state;
  }

  onStatus(listener: (status: VisionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Whether barcode-confirmed drops' crops go to the fleet (the store's opt-in, `desired.vision.contributePhotos`). */
  setContribution(on: boolean): void {
    this.contributing = on;
  }

  /** Resolves when every recognition started so far is decided and acted on (tests, stop()). */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  // ---- the scale ---------------------------------------------------------------------------------------------------

  /** The scale became unsteady: something is going in or out, the camera may open its stream. */
  unsteady(): void {
    if (this.state.state !== 'barcode-only') this.deps.camera?.wake();
  }

  /** The scale settled: the frame of this settle (what the basket holds now) and the one of the previous settle. */
  settled(at: number): void {
    const camera = this.deps.camera;
    if (!camera?.status().ok) {
      this.current = null;
      return;
    }
    const started = performance.now();
    const frame = camera.capture(at).then(
      (f) => f,
      (err: unknown) => {
        this.deps.log.warn({ err: (err as Error).message }, 'camera capture failed');
        this.refreshStatus();
        return null;
      },
    );
    const previous = this.lastFrame;
    const settle: SettleFrames = {
      frame,
      before: previous,
      captureMs: frame.then(() => performance.now() - started),
    };
    this.current = settle;
    // A failed capture keeps the frame before it as the reference.
    this.lastFrame = frame.then((f) => f ?? (previous ? previous : null));
  }

  // ---- what the basket says ----------------------------------------------------------------------------------------

  /** An increase nothing scanned explains: recognise it and act. */
  unexplained(deltaG: number, at: number): void {
    if (!this.deps.camera) return; // A cart without a camera: nothing to log.
    if (this.state.state === 'paused') return; // No search across embedding spaces; the scan prompt stands.
    this.track(this.recognize('scale', deltaG, at, this.current));
  }

  /** A scanned item met its weight: the barcode is the truth of an open decision for it, or of this drop's frame. */
  scanned(sku: string, deltaG: number, at: number): void {
    const waiting = [...this.open.values()].find((o) => o.deltaG === deltaG && o.lineId === null);
    if (waiting) {
      this.resolve(waiting, { truthSku: sku, source: 'barcode', at });
      return;
    }
    if (this.state.state !== 'ready' || !this.current) return;
    this.track(this.recognizeScanned(sku, deltaG, at, this.current));
  }

  /** An item of a line left the basket: an `add` that is taken out again was (probably) wrong. */
  removed(lineId: string, at: number): void {
    const added = [...this.open.values()].find((o) => o.lineId === lineId);
    if (added) this.resolve(added, { truthSku: null, source: 'removed', at });
  }

  /** The unexplained increase went away unnamed. */
  withdrawn(deltaG: number, at: number): void {
    const waiting = [...this.open.values()].find((o) => o.deltaG === deltaG && o.lineId === null);
    if (waiting) this.resolve(waiting, { truthSku: null, source: 'removed', at });
  }

  /** The shopper chose an offered option (the pick screen, the produce suggestion); `lineId` is what it added. */
  picked(decisionId: string, sku: string, at: number): void {
    const open = this.open.get(decisionId);
    if (open) this.resolve(open, { truthSku: sku, source: 'shopper-pick', at });
  }

  /** Checkout began: every auto-added item still in the basket was accepted. */
  checkout(at: number): void {
    for (const open of [...this.open.values()]) {
      if (open.lineId === null || open.record.decision.kind !== 'add') continue;
      this.resolve(open, { truthSku: open.record.decision.sku, source: 'accepted', at });
    }
  }

  /** The trip ended: what is still open stays unknown (sent as it was). */
  sessionEnded(): void {
    this.open.clear();
    this.deps.journal?.clear();
    this.current = null;
    this.lastFrame = null;
    this.ensureReference();
  }

  // ---- inside ------------------------------------------------------------------------------------------------------

  private async recognize(
    trigger: RecognitionTrigger,
    deltaG: number,
    at: number,
    settle: SettleFrames | null,
  ): Promise<void> {
    const header = this.deps.gallery.header;
    const products = cartFusionCatalog(this.deps.product, header, this.deps.tolerance);
    const seen = await this.look(settle, (sku) => weightPlausible(products, sku, deltaG));
    const zoneId = this.deps.zoneId();
    const { decision, scores } = decide(
      { candidates: seen?.candidates ?? null, weightDeltaG: deltaG, zoneId, barcodeSku: null, products },
      this.deps.policy ?? modelFusionPolicy(this.deps.model.metadata),
    );
    const record = this.record(trigger, at, deltaG, zoneId, null, seen, decision, scores);
    this.deps.records.send(record);
    const open: Open = { record, deltaG, lineId: null };
    this.open.set(record.id, open);
    this.act(open, decision);
    this.saveOpen();
  }

  private async recognizeScanned(sku: string, deltaG: number, at: number, settle: SettleFrames): Promise<void> {
    const header = this.deps.gallery.header;
    const products = cartFusionCatalog(this.deps.product, header, this.deps.tolerance);
    const seen = await this.look(settle, (candidate) => weightPlausible(products, candidate, deltaG));
    if (!seen) return; // No frame for this drop: nothing to compare the barcode with.
    const zoneId = this.deps.zoneId();
    const { decision, scores } = decide(
      { candidates: seen.candidates, weightDeltaG: deltaG, zoneId, barcodeSku: sku, products },
      this.deps.policy ?? modelFusionPolicy(this.deps.model.metadata),
    );
    const record = this.record('scale', at, deltaG, zoneId, sku, seen, decision, scores);
    record.outcome = { decisionId: record.id, truthSku: sku, source: 'barcode', at };
    this.deps.records.send(record);
    if (this.contributing) this.deps.photos?.contribute(record.id, seen.crop);
  }

  /** The settle's frame through the model and the gallery; null when there is no frame or it could not be used. */
  private async look(
    settle: SettleFrames | null,
    allow: (sku: string) => boolean,
  ): Promise<(FrameCandidates & { captureMs: number }) | null> {
    const frame = settle ? await settle.frame : null;
    const crops = this.deps.crops ?? CAMERA_CROPS;
    if (!settle || !frame) return null;
    try {
      const before = settle.before ? await settle.before : null;
      const seen = await frameCandidates(frame, before, crops, this.deps.model, this.deps.gallery, allow);
      return { ...seen, captureMs: await settle.captureMs };
    } catch (err) {
      // A model swapped out mid-way, a gallery that no longer fits: this drop is decided without vision.
      this.deps.log.warn(
        { err: (err as Error).message, code: isFleetError(err) ? err.code : null },
        'recognition failed',
      );
      this.refreshStatus();
      return null;
    }
  }

  private act(open: Open, decision: RecognitionDecision): void {
    const { actions } = this.deps;
    const id = open.record.id;
    switch (decision.kind) {
      case 'add':
        open.lineId = actions.addRecognized(decision.sku, open.deltaG);
        return;
      case 'pick':
      case 'suggest-produce': {
        const plus = new Map(decision.kind === 'suggest-produce' ? decision.options.map((o) => [o.sku, o.plu]) : []);
        const options = decision.options.map((o) => this.option(o.sku, o.confidence, plus.get(o.sku) ?? null));
        actions.offer({ decisionId: id, kind: decision.kind, deltaG: open.deltaG, options });
        return;
      }
      case 'scan':
      case 'barcode':
        return; // The basket's scan prompt is open already.
    }
  }

  private option(sku: string, confidence: number, plu: string | null): RecognitionOption {
    const product = this.deps.product(sku);
    const label = this.deps.gallery.header?.products.find((p) => p.sku === sku)?.label;
    return {
      sku,
      name: product?.name ?? label ?? { zh: sku, en: sku },
      plu: plu ?? product?.plu ?? null,
      confidence,
      thumbnail: this.deps.gallery.thumbnailUrl(sku),
    };
  }

  private record(
    trigger: RecognitionTrigger,
    at: number,
    deltaG: number,
    zoneId: string | null,
    barcode: string | null,
    seen: (FrameCandidates & { captureMs: number }) | null,
    decision: RecognitionDecision,
    scores: RecognitionRecord['scores'],
  ): RecognitionRecord {
    const release = this.deps.model.release;
    const evidence: RecognitionEvidence = {
      at,
      trigger,
      modelVersion: release?.version ?? null,
      galleryVersion: seen?.galleryVersion ?? this.deps.gallery.header?.version ?? null,
      candidates: seen?.candidates ?? [],
      weightDeltaG: deltaG,
      zoneId,
      barcode,
    };
    if (seen) evidence.latencyMs = { capture: ms(seen.captureMs), embed: ms(seen.embedMs), search: ms(seen.searchMs) };
    const storeId = this.deps.storeId();
    return {
      id: randomUUID(),
      thingName: this.deps.thingName,
      ...(storeId ? { storeId } : {}),
      evidence,
      decision,
      ...(scores && scores.length > 0 ? { scores } : {}),
    };
  }

  private resolve(open: Open, outcome: Omit<RecognitionOutcome, 'decisionId'>): void {
    this.open.delete(open.record.id);
    this.saveOpen();
    const at = Math.max(outcome.at, open.record.evidence.at);
    this.deps.records.send({ ...open.record, outcome: { ...outcome, at, decisionId: open.record.id } });
  }

  private refreshStatus(): void {
    const next = visionStatus(this.deps.camera?.status() ?? null, this.deps.gallery.modelProblems());
    if (next.state === this.state.state && next.reason === this.state.reason) return;
    this.state = next;
    this.deps.log.info({ ...next }, 'recognition status');
    if (next.state === 'ready') this.ensureReference();
    for (const listener of this.statusListeners) listener(next);
  }

  /**
   * Without a previous settle's frame, a drop's crop could only be the frame's centre: when recognition becomes ready
   * (the camera came up after the scale first settled) or a trip ends, the basket as it is now is the reference.
   */
  private ensureReference(): void {
    const camera = this.deps.camera;
    if (this.lastFrame !== null || !camera?.status().ok) return;
    this.lastFrame = camera.capture(this.deps.clock.now()).then(
      (f) => f,
      (err: unknown) => {
        this.deps.log.warn({ err: (err as Error).message }, 'camera reference capture failed');
        return null;
      },
    );
  }

  private saveOpen(): void {
    const journal = this.deps.journal;
    if (!journal) return;
    if (this.open.size === 0) journal.clear();
    else journal.save({ sessionId: this.deps.sessionId?.() ?? null, open: [...this.open.values()] });
  }

  /** The open records of this trip from before a restart; another trip's (it ended while the cart was off) are let go. */
  private restoreOpen(): void {
    const saved = this.deps.journal?.load();
    if (!saved) return;
    const session = this.deps.sessionId?.() ?? null;
    if (session === null || saved.sessionId !== session) {
      this.deps.journal?.clear();
      return;
    }
    for (const open of saved.open) this.open.set(open.record.id, open);
    this.deps.log.info({ open: this.open.size }, 'recognitions waiting for their outcome brought back');
  }

  private track(work: Promise<void>): void {
    const guarded = work.catch((err: unknown) =>
      this.deps.log.error({ err: (err as Error).message }, 'recognition failed unexpectedly'),
    );
    this.work.add(guarded);
    void guarded.finally(() => this.work.delete(guarded));
  }
}

/** A latency as the record keeps it: whole tenths of a millisecond, within the contract's bound. */
function ms(value: number): number {
  return Math.min(60_000, Math.max(0, Math.round(value * 10) / 10));
}
