import { EventEmitter } from 'node:events';
import {
  DEFAULT_TOLERANCE,
  expectedWeight,
  matches,
  type ToleranceDefaults,
  type WeightExpectation,
} from '../../../commerce/weight-expectation.ts';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Product } from '../../../protocol/commerce/catalog.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type {
  Approval,
  AttendantCall,
  AttendantReason,
  BasketCatalog,
  BasketLine,
  BasketRecognitionEvents,
  BasketState,
  CheckoutLock,
  LineSource,
  Prompt,
} from './basket-types.ts';

export interface BasketOptions {
  /** Settled changes within ± this are scale noise, not an item. */
  noiseG: number;
  /**
   * An item expected to weigh less than this is too light for the scale to confirm (a single chewing gum, a sachet):
   * its scan confirms it, and its expected weight is counted as in the basket so that a few of them do not add up to
   * an unexplained increase. Audited as `confirmed-unweighed`.
   */
  minWeighableG: number;
  tolerance: ToleranceDefaults;
  /** A weight prompt left unanswered this long calls an attendant (`weight-mismatch`). */
  mismatchTimeoutMs: number;
}

export const DEFAULT_BASKET_OPTIONS: BasketOptions = {
  noiseG: 5,
  minWeighableG: 10,
  tolerance: DEFAULT_TOLERANCE,
  mismatchTimeoutMs: 30_000,
};

/** A unit scanned (or recognised) whose weight the scale has not seen yet. */
interface Pending {
  lineId: string;
  expectation: WeightExpectation | null;
}

export interface BasketEvents extends BasketRecognitionEvents {
  change: [BasketState];
  /** The basket wants an attendant (the cart raises a request with the fleet). */
  attendant: [AttendantCall];
  /** Something the audit trail keeps: an approval, a removal confirmed, a mismatch accepted by staff. */
  audit: [{ event: string; at: number; detail: Record<string, unknown> }];
}

/**
 * The shopper's basket and the fusion of what the cart senses: a scanned barcode proposes an item, a settled weight
 * change while the cart is still confirms it within tolerance; an unexplained increase asks for a scan, a decrease
 * that matches an item asks whether it was taken out, and a mismatch that persists calls an attendant. Weighed
 * produce is picked, weighed (tare applied) and priced by weight; age-restricted and attendant-only items lock
 * checkout until staff approve. Time comes from the injected clock; state is plain data (`state()`, `restore()`).
 */
export class Basket extends EventEmitter<BasketEvents> {
  private lines: BasketLine[] = [];
  private pending: Pending[] = [];
  private prompt: Prompt | null = null;
  private attendant: AttendantCall | null = null;
  private approvals: Approval[] = [];
  private accountedG = 0;
  private still = true;
  /** A settled reading that came while the cart moved: taken once it is still. */
  private deferred: number | null = null;
  private mismatchTimer: TimerHandle | undefined;
  private nextLine = 1;

  constructor(
    private catalog: BasketCatalog,
    private readonly clock: Clock,
    private readonly options: BasketOptions = DEFAULT_BASKET_OPTIONS,
  ) {
    super();
  }

  /**
   * A new pricing snapshot brought a new catalog: lines keep their SKUs (a product gone from the catalog keeps its
   * line; pricing will say what it costs). Expectations of pending items follow the new weights.
   */
  setCatalog(catalog: BasketCatalog): void {
    this.catalog = catalog;
    this.pending = this.pending.map((p) => {
      const line = this.lines.find((l) => l.lineId === p.lineId);
      return line ? { ...p, expectation: this.unitExpectation(line) } : p;
    });
    this.changed();
  }

  /**
   * What product recognition named for the open unexplained increase of `deltaG` (devices/cart/vision/): the camera
   * was sure, or the shopper picked it from the recognised options. Packaged goods are added (`vision`) only when the
   * weight agrees (WEIGHT_MISMATCH otherwise); loose produce is priced by that weight, less its bag (`produce`). The
   * basket must still be where recognition saw it (the same `scan-added` prompt), else BAD_REQUEST and nothing done.
   */
  addRecognized(sku: string, deltaG: number): BasketLine {
    const prompt = this.prompt;
    if (prompt?.kind !== 'scan-added' || prompt.deltaG !== deltaG)
      throw new FleetError('BAD_REQUEST', 'the basket moved on: that item is no longer the one waiting to be named');
    const product = this.catalog.product(sku);
    if (!product) throw new FleetError('PRODUCT_NOT_FOUND', `no product ${sku}`);
    if (!product.available) throw new FleetError('PRODUCT_UNAVAILABLE', `${sku} is not sold in this store now`);
    const at = this.clock.now();
    const fields = { quantity: 1, weightG: null, labelPriceFen: null, barcode: null, at };
    let line: BasketLine;
    if (product.soldBy === 'weight') {
      const net = deltaG - (product.tareG ?? 0);
      if (net <= this.options.noiseG)
        throw new FleetError('WEIGHT_NEGATIVE', `nothing to weigh after the ${product.tareG ?? 0} g bag`);
      line = this.addLine(product, 'produce', { ...fields, weightG: net });
    } else {
      const expectation = expectedWeight(product, 1, {}, this.options.tolerance);
      if (expectation && !matches(deltaG, expectation))
        throw new FleetError('WEIGHT_MISMATCH', `${deltaG} g is not one ${sku} (${expectation.grams} g)`, {
          expectedG: expectation.grams,
          toleranceG: expectation.toleranceG,
        });
      line = this.addLine(product, 'vision', fields);
    }
    line.confirmedQuantity = 1;
    this.accountedG += deltaG;
    if (product.minAge !== null || product.needsAttendant) {
      this.callAttendant(product.minAge !== null ? 'age-check' : 'needs-attendant', product.sku);
    }
    this.clearPrompt();
    this.changed();
    return { ...line };
  }

  state(): BasketState {
    return {
      lines: this.lines.map((l) => ({ ...l })),
      prompt: this.prompt ? { ...this.prompt } : null,
      locks: this.locks(),
      attendant: this.attendant ? { ...this.attendant } : null,
      approvals: this.approvals.map((a) => ({ ...a, lines: a.lines.map((l) => ({ ...l })) })),
      accountedG: this.accountedG,
    };
  }

  /** Brings back a basket saved with `state()` (a restart mid-trip: the items are still in the basket). */
  restore(saved: BasketState): void {
    this.lines = saved.lines.map((l) => ({ ...l }));
    this.pending = this.lines.flatMap((line) =>
      Array.from({ length: line.quantity - line.confirmedQuantity }, () => ({
        lineId: line.lineId,
        expectation: this.unitExpectation(line),
      })),
    );
    this.prompt = saved.prompt;
    this.attendant = saved.attendant;
    this.approvals = saved.approvals.map((a) => ({ ...a, lines: a.lines.map((l) => ({ ...l })) }));
    this.accountedG = saved.accountedG;
    this.nextLine = 1 + Math.max(0, ...this.lines.map((l) => Number(l.lineId.replace(/^L/, '')) || 0));
    if (this.prompt) this.armMismatch();
    this.changed();
  }

  /** Empties the basket for the next shopper (after checkout, or a cancelled session). */
  clear(scaleG = 0): void {
    this.lines = [];
    this.pending = [];
    this.prompt = null;
    this.attendant = null;
    this.approvals = [];
    this.accountedG = scaleG;
    this.deferred = null;
    this.clock.clearTimeout(this.mismatchTimer);
    this.mismatchTimer = undefined;
    this.changed();
  }

  /** Releases the timer (the runtime stops). */
  stop(): void {
    this.clock.clearTimeout(this.mismatchTimer);
    this.mismatchTimer = undefined;
  }

  // ---- what the shopper does -----------------------------------------------------------------------------------

  /**
   * A barcode the scanner read: a line (new, or one more of the same item), or — for a loose product's own code —
   * the produce weighing it starts. A bad code throws its FleetError (GTIN_CHECK_DIGIT, BARCODE_UNKNOWN,
   * BARCODE_VARIABLE_MEASURE_INVALID, PRODUCT_UNAVAILABLE) and changes nothing.
   */
  scan(code: string): { kind: 'line'; line: BasketLine } | { kind: 'weigh'; sku: string } {
    const resolved = this.catalog.resolveBarcode(code);
    const { product } = resolved;
    const label = { weightG: resolved.weightG ?? null, labelPriceFen: resolved.labelPriceFen ?? null };
    const at = this.clock.now();
    if (product.soldBy === 'weight' && label.weightG === null && label.labelPriceFen === null) {
      this.weighProduce(product.sku);
      return { kind: 'weigh', sku: product.sku };
    }
    let line: BasketLine | undefined;
    if (product.soldBy === 'each' && label.labelPriceFen === null && label.weightG === null) {
      line = this.lines.find((l) => l.sku === product.sku && l.source === 'scan' && l.labelPriceFen === null);
    }
    if (line) {
      line.quantity += 1;
    } else {
      line = this.addLine(product, 'scan', {
        quantity: 1,
        weightG: label.weightG,
        labelPriceFen: label.labelPriceFen,
        barcode: code,
        at,
      });
    }
    const expectation = expectedWeight(product, 1, label, this.options.tolerance);
    if (expectation !== null && expectation.grams < this.options.minWeighableG) {
      // Too light for the scale: the scan is the confirmation.
      line.confirmedQuantity += 1;
      this.accountedG += expectation.grams;
      this.audit('confirmed-unweighed', { sku: product.sku, expectedG: expectation.grams, lineId: line.lineId });
      if (product.minAge !== null || product.needsAttendant) {
        this.callAttendant(product.minAge !== null ? 'age-check' : 'needs-attendant', `${product.sku}`);
      }
      this.changed();
      return { kind: 'line', line: { ...line } };
    }
    this.pending.push({ lineId: line.lineId, expectation });
    if (product.minAge !== null || product.needsAttendant) {
      this.callAttendant(product.minAge !== null ? 'age-check' : 'needs-attendant', `${product.sku}`);
    }
    // The item may already be in the basket (dropped, then scanned): the open increase is it.
    if (this.prompt?.kind === 'scan-added' && this.takePending(this.prompt.deltaG)) {
      const deltaG = this.prompt.deltaG;
      this.accountedG += deltaG;
      this.clearPrompt();
      this.emit('scanned', { lineId: line.lineId, sku: product.sku, deltaG, at });
    } else if (this.prompt === null) {
      this.openPrompt({
        kind: 'place-item',
        lineId: line.lineId,
        sku: product.sku,
        expectedG: expectation?.grams ?? null,
        since: at,
      });
    }
    this.changed();
    return { kind: 'line', line: { ...line } };
  }

  /** The shopper picked a loose product (by PLU or name): the next settled increase is its weight. */
  weighProduce(sku: string): void {
    const product = this.catalog.product(sku);
    if (!product) throw new FleetError('PRODUCT_NOT_FOUND', `no product ${sku}`);
    if (product.soldBy !== 'weight') throw new FleetError('PRICING_INPUT_INVALID', `${sku} is not sold by weight`);
    if (!product.available) throw new FleetError('PRODUCT_UNAVAILABLE', `${sku} is not sold in this store now`);
    if (this.prompt && this.prompt.kind !== 'weigh-produce') {
      throw new FleetError('WEIGHT_NOT_SETTLED', 'finish the open weight prompt first', { prompt: this.prompt.kind });
    }
    this.openPrompt({ kind: 'weigh-produce', sku, tareG: product.tareG ?? 0, since: this.clock.now() });
    this.changed();
  }

  /** The shopper removed a line (or one item of it) on the screen. */
  removeFromLine(lineId: string): void {
    const line = this.line(lineId);
    const unconfirmed = this.pending.findIndex((p) => p.lineId === lineId);
    if (unconfirmed >= 0) {
      // Never went into the basket: nothing to take out.
      this.pending.splice(unconfirmed, 1);
      this.dropUnit(line);
      if (this.prompt?.kind === 'place-item' && this.prompt.lineId === lineId) this.clearPrompt();
    } else {
      const expectation = this.unitExpectation(line);
      this.openPrompt({
        kind: 'take-out',
        lineId,
        sku: line.sku,
        expectedG: expectation?.grams ?? null,
        since: this.clock.now(),
      });
    }
    this.changed();
  }

  /** The answer to `confirm-removal`: yes removes one item of the line; no leaves a mismatch for an attendant. */
  answerRemoval(removed: boolean): void {
    const prompt = this.prompt;
    if (prompt?.kind !== 'confirm-removal') throw new FleetError('BAD_REQUEST', 'no removal to confirm');
    if (removed) {
      const line = this.line(prompt.lineId);
      line.confirmedQuantity = Math.max(0, line.confirmedQuantity - 1);
      this.dropUnit(line);
      this.accountedG -= prompt.deltaG;
      this.audit('item-removed', { lineId: line.lineId, sku: line.sku, deltaG: prompt.deltaG });
      this.clearPrompt();
      this.emit('removed', { lineId: line.lineId, sku: line.sku, at: this.clock.now() });
    } else {
      this.openPrompt({ kind: 'unexpected-removal', deltaG: prompt.deltaG, since: prompt.since });
    }
    this.changed();
  }

  // ---- what the sensors say ------------------------------------------------------------------------------------

  /** The cart started or stopped moving: the basket weighs only while it is still. */
  setStill(still: boolean): void {
    this.still = still;
    if (still && this.deferred !== null) {
      const grams = this.deferred;
      this.deferred = null;
      this.settled(grams);
    }
  }

  /**
   * A settled scale reading (grams on the scale, tare of the empty basket removed). A negative reading is a
   * mis-tared or faulty scale: refused with WEIGHT_NEGATIVE, nothing changes.
   */
  settled(grams: number): void {
    if (!Number.isFinite(grams)) throw new FleetError('WEIGHT_NOT_SETTLED', 'no settled reading');
    if (grams < -this.options.noiseG) throw new FleetError('WEIGHT_NEGATIVE', `the scale reads ${grams} g`);
    if (!this.still) {
      this.deferred = grams;
      return;
    }
    const delta = grams - this.accountedG;
    if (Math.abs(delta) <= this.options.noiseG) {
      // Back where the basket was (an unknown item taken out again): nothing is wrong any more.
      const open = this.prompt;
      if (open?.kind === 'scan-added' || open?.kind === 'unexpected-removal') this.clearPrompt();
      if (open?.kind === 'scan-added') this.emit('withdrawn', { deltaG: open.deltaG, at: this.clock.now() });
      this.changed();
      return;
    }
    if (delta > 0) this.heavier(grams, delta);
    else this.lighter(grams, -delta);
    this.changed();
  }

  // ---- staff -----------------------------------------------------------------------------------------------------

  /** An attendant (on the cart with a staff code, or from the console) approved the age check or attendant items. */
  approve(kind: 'age-check' | 'needs-attendant', approvedBy: string, method: Approval['method']): Approval {
    const lines = this.lines
      .filter((l) => this.lockedBy(l, kind))
      .map((l) => ({ lineId: l.lineId, quantity: l.quantity }));
    const approval: Approval = { kind, lines, approvedBy, method, at: this.clock.now() };
    this.approvals.push(approval);
    this.audit('approved', { ...approval });
    if (this.attendant?.reason === kind) this.attendant = null;
    this.changed();
    return approval;
  }

  /** An attendant checked the basket after a mismatch: what the scale shows now is what the basket holds. */
  acceptWeight(grams: number, approvedBy: string): void {
    this.audit('weight-accepted', { from: this.accountedG, to: grams, approvedBy });
    this.accountedG = grams;
    if (this.prompt && this.prompt.kind !== 'weigh-produce') this.clearPrompt();
    if (this.attendant?.reason === 'weight-mismatch') this.attendant = null;
    this.changed();
  }

  // ---- inside ----------------------------------------------------------------------------------------------------

  private heavier(grams: number, delta: number): void {
    const prompt = this.prompt;
    if (prompt?.kind === 'weigh-produce') {
      const net = delta - prompt.tareG;
      if (net <= this.options.noiseG)
        throw new FleetError('WEIGHT_NEGATIVE', `nothing to weigh after the ${prompt.tareG} g bag`);
      const product = this.catalog.product(prompt.sku) as Product;
      this.addLine(product, 'produce', {
        quantity: 1,
        weightG: net,
        labelPriceFen: null,
        barcode: null,
        at: this.clock.now(),
      }).confirmedQuantity = 1;
      this.accountedG = grams;
      this.clearPrompt();
      return;
    }
    const taken = this.takePending(delta);
    if (taken) {
      this.accountedG = grams;
      if (prompt?.kind === 'place-item' || prompt?.kind === 'scan-added') this.clearPrompt();
      if (this.pending.length > 0 && this.prompt === null) this.promptNextPending();
      // One scanned item met its weight: what the camera saw of this drop can be compared with its barcode.
      if (taken.length === 1 && taken[0]) this.emit('scanned', { ...taken[0], deltaG: delta, at: this.clock.now() });
      return;
    }
    if (prompt?.kind === 'take-out' || prompt?.kind === 'confirm-removal') return; // Wait for the removal.
    this.openPrompt({
      kind: 'scan-added',
      deltaG: delta,
      since: prompt?.kind === 'scan-added' ? prompt.since : this.clock.now(),
    });
    this.emit('unexplained', { deltaG: delta, at: this.clock.now() });
  }

  private lighter(grams: number, removed: number): void {
    const prompt = this.prompt;
    if (prompt?.kind === 'take-out') {
      const line = this.line(prompt.lineId);
      if (matches(removed, this.unitExpectation(line))) {
        line.confirmedQuantity = Math.max(0, line.confirmedQuantity - 1);
        this.dropUnit(line);
        this.accountedG = grams;
        this.clearPrompt();
        this.emit('removed', { lineId: line.lineId, sku: line.sku, at: this.clock.now() });
        return;
      }
    }
    // Which confirmed item weighs what went missing? The closest expectation wins.
    let best: { line: BasketLine; error: number } | undefined;
    for (const line of this.lines) {
      if (line.confirmedQuantity === 0) continue;
      const e = this.unitExpectation(line);
      if (e === null || !matches(removed, e)) continue;
      const error = Math.abs(removed - e.grams);
      if (!best || error < best.error) best = { line, error };
    }
    if (best) {
      this.openPrompt({
        kind: 'confirm-removal',
        lineId: best.line.lineId,
        sku: best.line.sku,
        deltaG: removed,
        since: this.clock.now(),
      });
    } else {
      this.openPrompt({ kind: 'unexpected-removal', deltaG: removed, since: this.clock.now() });
    }
  }

  /** Takes the pending unit (or all pending units together) whose weight is `delta`: their lines, or null. */
  private takePending(delta: number): { lineId: string; sku: string }[] | null {
    const one = this.pending.findIndex((p) => matches(delta, p.expectation));
    if (one >= 0) {
      const [taken] = this.pending.splice(one, 1);
      if (!taken) return null;
      const line = this.line(taken.lineId);
      line.confirmedQuantity += 1;
      return [{ lineId: line.lineId, sku: line.sku }];
    }
    if (this.pending.length > 1 && this.pending.every((p) => p.expectation !== null)) {
      const sum = this.pending.reduce(
        (acc, p) => ({
          grams: acc.grams + (p.expectation?.grams ?? 0),
          toleranceG: acc.toleranceG + (p.expectation?.toleranceG ?? 0),
        }),
        { grams: 0, toleranceG: 0 },
      );
      if (matches(delta, sum)) {
        const lines = this.pending.map((p) => this.line(p.lineId));
        for (const line of lines) line.confirmedQuantity += 1;
        this.pending = [];
        return lines.map((l) => ({ lineId: l.lineId, sku: l.sku }));
      }
    }
    return null;
  }

  private promptNextPending(): void {
    const next = this.pending[0];
    if (!next) return;
    const line = this.line(next.lineId);
    this.openPrompt({
      kind: 'place-item',
      lineId: line.lineId,
      sku: line.sku,
      expectedG: next.expectation?.grams ?? null,
      since: this.clock.now(),
    });
  }

  private addLine(
    product: Product,
    source: LineSource,
    fields: {
      quantity: number;
      weightG: number | null;
      labelPriceFen: number | null;
      barcode: string | null;
      at: number;
    },
  ): BasketLine {
    const line: BasketLine = {
      lineId: `L${this.nextLine++}`,
      sku: product.sku,
      source,
      quantity: fields.quantity,
      confirmedQuantity: 0,
      weightG: fields.weightG,
      labelPriceFen: fields.labelPriceFen,
      barcode: fields.barcode,
      scannedAt: fields.at,
    };
    this.lines.push(line);
    return line;
  }

  private dropUnit(line: BasketLine): void {
    line.quantity -= 1;
    if (line.quantity <= 0) this.lines = this.lines.filter((l) => l !== line);
  }

  private unitExpectation(line: BasketLine): WeightExpectation | null {
    const product = this.catalog.product(line.sku);
    if (!product) return null;
    if (line.source === 'produce') {
      const grams = (line.weightG ?? 0) + (product.tareG ?? 0);
      return {
        grams,
        toleranceG: Math.max(
          this.options.tolerance.minToleranceG,
          Math.round((grams * this.options.tolerance.percent) / 100),
        ),
      };
    }
    return expectedWeight(
      product,
      1,
      { weightG: line.weightG, labelPriceFen: line.labelPriceFen },
      this.options.tolerance,
    );
  }

  private line(lineId: string): BasketLine {
    const line = this.lines.find((l) => l.lineId === lineId);
    if (!line) throw new FleetError('NOT_FOUND', `no line ${lineId}`);
    return line;
  }

  private lockedBy(line: BasketLine, kind: 'age-check' | 'needs-attendant'): boolean {
    const product = this.catalog.product(line.sku);
    if (!product) return false;
    const applies = kind === 'age-check' ? product.minAge !== null : product.needsAttendant;
    if (!applies) return false;
    // An attendant who approved the age check was at the cart for it (or checked it from the console): that also
    // covers the attendant-only flag of the same line (tobacco has both), which no separate call is raised for.
    const approved = this.approvals
      .filter((a) => a.kind === kind || (kind === 'needs-attendant' && a.kind === 'age-check'))
      .flatMap((a) => a.lines)
      .filter((l) => l.lineId === line.lineId)
      .reduce((max, l) => Math.max(max, l.quantity), 0);
    return line.quantity > approved;
  }

  private locks(): CheckoutLock[] {
    const locks: CheckoutLock[] = [];
    const age = this.lines.filter((l) => this.lockedBy(l, 'age-check'));
    if (age.length > 0) {
      const minAge = Math.max(...age.map((l) => this.catalog.product(l.sku)?.minAge ?? 0));
      locks.push({ kind: 'age-check', lineIds: age.map((l) => l.lineId), minAge });
    }
    const staff = this.lines.filter((l) => this.lockedBy(l, 'needs-attendant'));
    if (staff.length > 0) locks.push({ kind: 'needs-attendant', lineIds: staff.map((l) => l.lineId) });
    if (this.prompt !== null) locks.push({ kind: 'weight-prompt' });
    const unconfirmed = this.lines.filter((l) => l.confirmedQuantity < l.quantity);
    if (unconfirmed.length > 0) locks.push({ kind: 'unconfirmed-lines', lineIds: unconfirmed.map((l) => l.lineId) });
    return locks;
  }

  private openPrompt(prompt: Prompt): void {
    const same = this.prompt?.kind === prompt.kind;
    this.prompt = prompt;
    if (!same) this.armMismatch();
  }

  private clearPrompt(): void {
    this.prompt = null;
    this.clock.clearTimeout(this.mismatchTimer);
    this.mismatchTimer = undefined;
    if (this.attendant?.reason === 'weight-mismatch') this.attendant = null;
  }

  private armMismatch(): void {
    this.clock.clearTimeout(this.mismatchTimer);
    if (this.prompt?.kind === 'weigh-produce') return; // The shopper may take their time choosing apples.
    this.mismatchTimer = this.clock.setTimeout(() => {
      this.mismatchTimer = undefined;
      const prompt = this.prompt;
      if (!prompt) return;
      this.callAttendant('weight-mismatch', prompt.kind);
      this.changed();
    }, this.options.mismatchTimeoutMs);
  }

  private callAttendant(reason: AttendantReason, detail: string): void {
    const call: AttendantCall = { reason, detail, at: this.clock.now() };
    this.attendant = call;
    this.emit('attendant', call);
  }

  private audit(event: string, detail: Record<string, unknown>): void {
    this.emit('audit', { event, at: this.clock.now(), detail });
  }

  private changed(): void {
    this.emit('change', this.state());
  }
}
