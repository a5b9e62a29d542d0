import type { CartShop } from '../devices/cart/commerce/cart-shop.ts';
import type { Logger } from '../platform/log.ts';
import type { CartScreenState } from '../protocol/commerce/cart-screen.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import type { PricingSnapshot } from '../protocol/commerce/snapshot.ts';
import { isFleetError } from '../protocol/errors.ts';
import { variableMeasureLabel } from './demo-catalog.ts';

/** What a shopper's hands do to the cart: the simulated cart's hardware (scanner, basket scale, motion). */
export interface ShopperHands {
  presentBarcode(code: string): 'read' | 'no-read' | 'substituted';
  /** `product`: what goes in (the basket camera sees it). */
  putItem(grams: number, how?: 'dropped' | 'placed', product?: Product): void;
  takeItem(grams: number, sku?: string): void;
  push(): void;
  standStill(): void;
  /** Whether the cart recognises drops now: the shopper then drops packaged goods in without scanning. */
  recognitionReady?(): boolean;
}

/** The world around the cart: a member app that shows a code, a phone that pays. */
export interface ShopperWorld {
  /** The code a member's app shows now, or null for a shopper without membership. */
  memberCode(): Promise<string | null>;
  /** The shopper's phone opens the pay page and pays. */
  pay(payUrl: string): Promise<void>;
}

export interface TripPlan {
  items: number;
  /** Chances per item (the rest are plain scanned items). */
  produce: number;
  deli: number;
  forgottenScan: number;
  removal: number;
  beer: number;
  /**
   * When the cart recognises drops: the chance a packaged item goes in without a scan (the shopper waits for what
   * the cart does), and a produce bag without choosing it first (the cart suggests its PLU). Absent: 0.
   */
  dropUnscanned?: number;
}

export const DEFAULT_TRIP: TripPlan = {
  items: 6,
  produce: 0.15,
  deli: 0.1,
  forgottenScan: 0.1,
  removal: 0.1,
  beer: 0.1,
  dropUnscanned: 0.75,
};

/** What a trip's drops came to with recognition (the summary line each trip logs). */
export interface TripRecognition {
  /** Dropped without a scan and added by the camera and the scale. */
  recognised: number;
  /** ...added by the camera as another product (the weight agreed): the shopper left it. */
  misrecognised: number;
  /** The cart offered a few; the shopper tapped the right one. */
  picked: number;
  /** The cart asked for a scan (or offered the wrong ones): scanned. */
  scanned: number;
  /** Produce: the suggested PLU was right and accepted. */
  produceAccepted: number;
  /** Produce: chosen by hand (the suggestion was wrong, or none came). */
  produceChosen: number;
  /** Scanned first, as without recognition. */
  scanFirst: number;
}

/** How long a shopper looks at the screen for the camera's answer before scanning anyway. */
const RECOGNITION_PATIENCE_MS = 4000;

/**
 * A shopper who really shops through the cart runtime's hardware: scans (rescanning no-reads and misreads), drops
 * items in, forgets to scan one and scans it when the screen asks, takes one back out and confirms, weighs produce
 * picked on the screen, scans a deli label, buys a beer (an attendant must approve), checks out and pays on their
 * phone through the sandbox provider, takes the bags out and ends the trip. Every step waits for what the cart
 * shows, as a person would; a step the cart does not answer in time is given up and the trip goes on.
 */
export class SimulatedShopper {
  private carried: { sku: string; grams: number }[] = [];
  readonly recognition: TripRecognition = {
    recognised: 0,
    misrecognised: 0,
    picked: 0,
    scanned: 0,
    produceAccepted: 0,
    produceChosen: 0,
    scanFirst: 0,
  };
  private cancelled = false;
  /** Each pending wait's timer and how to end it early. */
  private readonly waits = new Map<NodeJS.Timeout, (err: Error) => void>();

  /** The cart is stopping: every wait ends now (rejected, not left pending) and the trip gives up. */
  cancel(): void {
    this.cancelled = true;
    for (const [timer, reject] of this.waits) {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    }
    this.waits.clear();
  }

  constructor(
    private readonly shop: CartShop,
    private readonly hands: ShopperHands,
    private readonly world: ShopperWorld,
    private readonly random: () => number,
    private readonly log: Logger,
    /** Real milliseconds between a person's steps. */
    private readonly stepMs = 1200,
    private readonly plan: TripPlan = DEFAULT_TRIP,
  ) {}

  /** One whole trip, from the member code to the receipt. Resolves when the trip is over (or given up). */
  async trip(snapshot: PricingSnapshot): Promise<'paid' | 'abandoned'> {
    try {
      const code = await this.world.memberCode();
      if (code) await this.scan(code);
      else await this.shop.act({ type: 'start' });
      for (let i = 0; i < this.plan.items; i++) {
        await this.pushOn();
        // What the screen still asks (a late drop's scan, a removal) is answered before the next item, as a person would.
        await this.until((s) => s.prompt === null, 'a clear screen before the next item');
        await this.oneItem(snapshot);
      }
      const paid = await this.checkout();
      this.summarise(paid);
      return paid;
    } catch (err) {
      if (this.cancelled) return 'abandoned';
      this.log.warn({ err: (err as Error).message }, 'simulated shopper gave up the trip');
      await this.abandon();
      this.summarise('abandoned');
      return 'abandoned';
    }
  }

  /** One line per trip: what the camera did with the drops. */
  private summarise(result: 'paid' | 'abandoned'): void {
    const r = this.recognition;
    const dropped = r.recognised + r.misrecognised + r.picked + r.scanned;
    if (dropped + r.produceAccepted + r.produceChosen === 0) return;
    this.log.info(
      { ...r, result },
      `trip ${result}: ${r.recognised} recognised, ${r.picked} picked, ${r.scanned} scanned of ${dropped} dropped unscanned` +
        ` (${r.misrecognised} misrecognised); produce ${r.produceAccepted} suggested right, ${r.produceChosen} chosen` +
        `; ${r.scanFirst} scanned first`,
    );
  }

  private get recognising(): boolean {
    return this.hands.recognitionReady?.() ?? false;
  }

  private async oneItem(snapshot: PricingSnapshot): Promise<void> {
    const roll = this.random();
    const p = this.plan;
    if (roll < p.produce) return this.produce(snapshot);
    if (roll < p.produce + p.deli) return this.deli(snapshot);
    if (roll < p.produce + p.deli + p.beer) return this.beer(snapshot);
    if (roll < p.produce + p.deli + p.beer + p.removal && this.carried.length > 0) return this.removeOne();
    const product = this.pick(snapshot, (x) => x.soldBy === 'each' && x.minAge === null && !x.needsAttendant);
    if (!product) return;
    if (this.recognising && this.random() < (p.dropUnscanned ?? 0)) return this.dropUnscanned(product);
    if (this.random() < p.forgottenScan) {
      // Forgotten with a recognising cart: the camera may add it before the shopper reacts (as an unscanned drop).
      if (this.recognising) return this.dropUnscanned(product);
      // Dropped first; the screen asks what went in; the shopper scans it then.
      const grams = this.weightOf(product);
      await this.put(product, grams);
      await this.until((s) => s.prompt?.kind === 'scan-added', 'the cart asks to scan what was added');
      await this.scan(product.gtins[0] as string);
      await this.until((s) => s.prompt === null, 'the forgotten item is confirmed');
      return;
    }
    await this.scan(product.gtins[0] as string);
    await this.put(product, this.weightOf(product));
    this.recognition.scanFirst++;
    await this.until(
      (s) => s.prompt === null && !s.locks.some((l) => l.kind === 'unconfirmed-lines'),
      'item confirmed',
    );
  }

  /**
   * A packaged item dropped in without a scan; the shopper watches the screen: a line the camera added → fine (the
   * wrong product, the weight agreeing: left, as a hurried person would); a pick with the right product → tapped;
   * a pick without it → "none of these", then the barcode; the scan prompt standing → the barcode.
   */
  private async dropUnscanned(product: Product): Promise<void> {
    const before = visionCounts(this.shop.state());
    await this.put(product, this.weightOf(product));
    const answer = await this.answerOf(before, (s) => s.recognition?.kind === 'pick');
    if (answer.kind === 'added') {
      if (answer.sku === product.sku) this.recognition.recognised++;
      else this.recognition.misrecognised++;
      return;
    }
    if (answer.kind === 'offer' && answer.state.recognition) {
      const offer = answer.state.recognition;
      // The offer may close while the shopper reaches for it (a late barcode, the basket moving on): BAD_REQUEST,
      // and the shopper looks at the screen again below.
      await this.pause(0.5);
      const answered = await this.shop
        .act(
          offer.options.some((o) => o.sku === product.sku)
            ? { type: 'pick-recognized', decisionId: offer.decisionId, sku: product.sku }
            : { type: 'reject-recognized', decisionId: offer.decisionId },
        )
        .then(
          () => true,
          (err: unknown) => {
            if (isFleetError(err, 'BAD_REQUEST')) return false;
            throw err;
          },
        );
      if (answered && offer.options.some((o) => o.sku === product.sku)) {
        await this.until((s) => s.prompt === null && s.recognition === null, 'the picked item confirmed');
        this.recognition.picked++;
        return;
      }
      if (answered) await this.until((s) => s.prompt?.kind === 'scan-added', 'the cart asks for the barcode');
    }
    // The camera answered late after all: its line stands (scanning now would add the item twice).
    const late = addedByVision(before, this.shop.state());
    if (late !== null) {
      if (late === product.sku) this.recognition.recognised++;
      else this.recognition.misrecognised++;
      return;
    }
    await this.scan(product.gtins[0] as string);
    await this.until((s) => s.prompt === null && s.recognition === null, 'the scanned item confirmed');
    this.recognition.scanned++;
  }

  /**
   * What the cart made of a drop: a vision line added (and which), an offer `isOffer` accepts, or a scan prompt that
   * stood {@link RECOGNITION_PATIENCE_MS} (the camera said nothing), or nothing asked at all (`none`).
   */
  private async answerOf(
    before: Map<string, number>,
    isOffer: (s: CartScreenState) => boolean,
  ): Promise<
    | { kind: 'added'; sku: string }
    | { kind: 'offer'; state: CartScreenState }
    | { kind: 'prompt'; state: CartScreenState }
  > {
    let promptSeen: number | null = null;
    const dropped = Date.now();
    const state = await this.until((s) => {
      if (addedByVision(before, s) !== null || isOffer(s)) return true;
      if (s.prompt?.kind === 'scan-added' || s.prompt?.kind === 'weigh-produce') {
        promptSeen ??= Date.now();
        return Date.now() - promptSeen > RECOGNITION_PATIENCE_MS;
      }
      // Nothing happened at all (an item too light for the scale to notice): the shopper scans it.
      return s.prompt === null && Date.now() - dropped > 2 * RECOGNITION_PATIENCE_MS;
    }, 'the cart answers the drop');
    const added = addedByVision(before, state);
    if (added !== null) return { kind: 'added', sku: added };
    if (isOffer(state)) return { kind: 'offer', state };
    return { kind: 'prompt', state };
  }

  private async produce(snapshot: PricingSnapshot): Promise<void> {
    const product = this.pick(snapshot, (x) => x.soldBy === 'weight' && x.plu !== null && x.tareG !== null);
    if (!product) return;
    const grams = 300 + Math.round(this.random() * 900) + (product.tareG ?? 0);
    if (this.recognising && this.random() < (this.plan.dropUnscanned ?? 0)) return this.produceDropped(product, grams);
    await this.shop.act({ type: 'search-produce', query: product.plu as string });
    await this.pause();
    await this.shop.act({ type: 'weigh-produce', sku: product.sku });
    await this.put(product, grams);
    await this.until((s) => s.prompt === null, 'produce weighed');
  }

  /**
   * A bag of produce put in before choosing it: the cart suggests PLUs (the picker opens with them first); the
   * right one first → accepted; further down the list → chosen there; not among them ("none of these") or no
   * suggestion at all: the bag comes out again and is weighed the usual way.
   */
  private async produceDropped(product: Product, grams: number): Promise<void> {
    const before = visionCounts(this.shop.state());
    await this.put(product, grams);
    const answer = await this.answerOf(before, (s) => s.recognition !== null);
    if (answer.kind === 'added') {
      if (answer.sku === product.sku) this.recognition.produceAccepted++;
      else this.recognition.misrecognised++;
      return;
    }
    const offer = answer.kind === 'offer' ? answer.state.recognition : null;
    if (offer?.options.some((o) => o.sku === product.sku)) {
      await this.pause(0.5);
      if (offer.options[0]?.sku === product.sku) this.recognition.produceAccepted++;
      else this.recognition.produceChosen++;
      // The picker lists the suggestions first (weigh-produce answers the offer), or the pick's tap.
      if (offer.kind === 'pick')
        await this.shop.act({ type: 'pick-recognized', decisionId: offer.decisionId, sku: product.sku });
      else await this.shop.act({ type: 'weigh-produce', sku: product.sku });
      await this.until((s) => s.prompt === null && s.recognition === null, 'produce priced');
      return;
    }
    // The wrong suggestions: "none of these" (only an offered product can answer an offer).
    if (offer) await this.shop.act({ type: 'reject-recognized', decisionId: offer.decisionId });
    // Nothing suggested: out again, chosen on the screen, back in.
    this.carried.pop();
    this.hands.takeItem(grams, product.sku);
    await this.until((s) => s.prompt === null, 'the bag is out again', 45_000);
    this.recognition.produceChosen++;
    await this.shop.act({ type: 'search-produce', query: product.plu as string });
    await this.pause();
    await this.shop.act({ type: 'weigh-produce', sku: product.sku });
    await this.put(product, grams);
    await this.until((s) => s.prompt === null, 'produce weighed');
  }

  private async deli(snapshot: PricingSnapshot): Promise<void> {
    const product = this.pick(snapshot, (x) => x.soldBy === 'weight' && x.plu !== null && x.tareG === null);
    if (!product) return;
    const grams = 150 + Math.round(this.random() * 350);
    await this.scan(variableMeasureLabel('weight', product.plu as string, grams));
    await this.put(product, grams);
    await this.until((s) => s.prompt === null, 'deli label confirmed');
  }

  private async beer(snapshot: PricingSnapshot): Promise<void> {
    const product = this.pick(snapshot, (x) => x.minAge !== null && x.soldBy === 'each');
    if (!product) return;
    await this.scan(product.gtins[0] as string);
    await this.put(product, this.weightOf(product));
    await this.until((s) => s.prompt === null, 'beer in the basket');
  }

  private async removeOne(): Promise<void> {
    const index = Math.floor(this.random() * this.carried.length);
    const item = this.carried[index];
    if (!item) return;
    this.hands.takeItem(item.grams, item.sku);
    this.carried.splice(index, 1);
    await this.until(
      (s) => s.prompt?.kind === 'confirm-removal' || s.prompt?.kind === 'unexpected-removal',
      'removal noticed',
    );
    if (this.shop.state().prompt?.kind === 'confirm-removal')
      await this.shop.act({ type: 'answer-removal', removed: true });
    await this.until((s) => s.prompt === null, 'removal confirmed', 45_000);
  }

  private async checkout(): Promise<'paid' | 'abandoned'> {
    if (this.shop.state().lines.length === 0) {
      await this.shop.act({ type: 'end-session' });
      return 'abandoned';
    }
    // An age check or a mismatch waits for an attendant (a person in the console, or the store's simulated one).
    await this.until((s) => s.locks.length === 0, 'checkout unlocked', 120_000);
    await this.shop.act({ type: 'checkout' });
    const state = await this.until(
      (s) =>
        s.checkout?.state === 'awaiting-payment' ||
        s.checkout?.state === 'offline-attendant' ||
        s.checkout?.state === 'failed',
      'payment asked',
    );
    if (state.checkout?.state !== 'awaiting-payment' || !state.checkout.payUrl) {
      throw new Error(`checkout ended ${state.checkout?.state}: ${state.checkout?.error?.code ?? ''}`);
    }
    await this.pause();
    await this.world.pay(state.checkout.payUrl);
    await this.until((s) => s.checkout?.state === 'paid', 'paid');
    await this.pause();
    for (const item of this.carried.splice(0)) this.hands.takeItem(item.grams, item.sku);
    await this.shop.act({ type: 'end-session' });
    return 'paid';
  }

  /** Gives the trip up as a person would: each item taken out (the screen asked first), then the trip ended. */
  private async abandon(): Promise<void> {
    if (this.cancelled) return;
    try {
      if (this.shop.state().checkout && this.shop.state().checkout?.state !== 'paid') {
        await this.shop.act({ type: 'cancel-checkout' });
      }
      for (const item of this.carried.splice(0).reverse()) {
        const line = this.shop.state().lines.find((l) => l.sku === item.sku && l.confirmedQuantity > 0);
        if (line) await this.shop.act({ type: 'remove', lineId: line.lineId });
        this.hands.takeItem(item.grams, item.sku);
        await this.until((s) => s.prompt === null, 'item taken out', 10_000).catch(() => undefined);
      }
      await this.shop.act({ type: 'end-session' });
    } catch (err) {
      // The next shopper starts from whatever is left; the cart's journal keeps it consistent.
      this.log.warn({ err: (err as Error).message }, 'simulated shopper could not empty the cart');
    }
  }

  private async scan(code: string): Promise<void> {
    for (let attempt = 0; attempt < 6; attempt++) {
      const before = this.shop.state().notice?.at;
      const outcome = this.hands.presentBarcode(code);
      await this.pause(0.5);
      if (outcome === 'read') return;
      // A no-read or a misread (the screen shows the refused code): scan again.
      if (outcome === 'substituted')
        await this.until((s) => s.notice?.at !== before, 'misread shown', 5_000).catch(() => {});
    }
    throw new Error(`could not scan ${code}`);
  }

  private async put(product: Product, grams: number): Promise<void> {
    await this.pause(0.5);
    this.hands.putItem(grams, 'dropped', product);
    this.carried.push({ sku: product.sku, grams });
  }

  private async pushOn(): Promise<void> {
    this.hands.push();
    await this.pause();
    this.hands.standStill();
    await this.pause(0.5);
  }

  private weightOf(product: Product): number {
    return (product.nominalWeightG ?? 200) + Math.round((this.random() - 0.5) * 4);
  }

  private pick(snapshot: PricingSnapshot, filter: (p: Product) => boolean): Product | undefined {
    const candidates = snapshot.products.filter(
      (p) => p.available && filter(p) && (p.soldBy === 'weight' || p.gtins.length > 0),
    );
    return candidates[Math.floor(this.random() * candidates.length)];
  }

  private pause(factor = 1): Promise<void> {
    return this.sleep(this.stepMs * factor);
  }

  private sleep(ms: number): Promise<void> {
    if (this.cancelled) return Promise.reject(new Error('cancelled'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        if (this.cancelled) reject(new Error('cancelled'));
        else resolve();
      }, ms);
      this.waits.set(timer, reject);
    });
  }

  /** Waits, as a person looking at the screen, until `check` holds (polling what the cart shows). */
  private async until(
    check: (s: CartScreenState) => boolean,
    what: string,
    // A prompt nobody answers calls an attendant after 30 s, whom the demo's simulated attendant answers 20 s later:
    // a shopper waits that long before giving up (a misread that added the wrong item ends that way).
    timeoutMs = 90_000,
  ): Promise<CartScreenState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.shop.state();
      if (check(state)) return state;
      if (Date.now() > deadline) throw new Error(`waited too long for: ${what} (the screen: ${screenSummary(state)})`);
      await this.sleep(100);
    }
  }
}

/** What the screen showed when a shopper gave up: the prompt, recognition's offer, the lines (for the demo's log). */
function screenSummary(state: CartScreenState): string {
  const prompt = state.prompt
    ? `${state.prompt.kind}${state.prompt.deltaG !== undefined ? ` ${state.prompt.deltaG} g` : ''}`
    : 'none';
  const offer = state.recognition ? `${state.recognition.kind} of ${state.recognition.options.length}` : 'none';
  const lines = state.lines.map((l) => `${l.sku}×${l.quantity}/${l.confirmedQuantity} ${l.source}`).join(', ');
  return `prompt ${prompt}; offer ${offer}; locks ${state.locks.map((l) => l.kind).join(',') || 'none'}; lines ${lines || 'none'}`;
}

/** Quantity per SKU of the lines the camera added. */
function visionCounts(state: CartScreenState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of state.lines) {
    if (line.source === 'vision') counts.set(line.sku, (counts.get(line.sku) ?? 0) + line.quantity);
  }
  return counts;
}

/** The SKU of a line the camera added since `before`, or null. */
function addedByVision(before: Map<string, number>, state: CartScreenState): string | null {
  for (const [sku, quantity] of visionCounts(state)) if (quantity > (before.get(sku) ?? 0)) return sku;
  return null;
}
