import type { CartShop } from '../devices/cart/commerce/cart-shop.ts';
import type { Logger } from '../platform/log.ts';
import type { CartScreenState } from '../protocol/commerce/cart-screen.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import type { PricingSnapshot } from '../protocol/commerce/snapshot.ts';
import { variableMeasureLabel } from './demo-catalog.ts';

/** What a shopper's hands do to the cart: the simulated cart's hardware (scanner, basket scale, motion). */
export interface ShopperHands {
  presentBarcode(code: string): 'read' | 'no-read' | 'substituted';
  putItem(grams: number, how?: 'dropped' | 'placed'): void;
  takeItem(grams: number): void;
  push(): void;
  standStill(): void;
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
}

export const DEFAULT_TRIP: TripPlan = {
  items: 6,
  produce: 0.15,
  deli: 0.1,
  forgottenScan: 0.1,
  removal: 0.1,
  beer: 0.1,
};

/**
 * A shopper who really shops through the cart runtime's hardware: scans (rescanning no-reads and misreads), drops
 * items in, forgets to scan one and scans it when the screen asks, takes one back out and confirms, weighs produce
 * picked on the screen, scans a deli label, buys a beer (an attendant must approve), checks out and pays on their
 * phone through the sandbox provider, takes the bags out and ends the trip. Every step waits for what the cart
 * shows, as a person would; a step the cart does not answer in time is given up and the trip goes on.
 */
export class SimulatedShopper {
  private carried: { sku: string; grams: number }[] = [];
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
        await this.oneItem(snapshot);
      }
      return await this.checkout();
    } catch (err) {
      if (this.cancelled) return 'abandoned';
      this.log.warn({ err: (err as Error).message }, 'simulated shopper gave up the trip');
      await this.abandon();
      return 'abandoned';
    }
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
    if (this.random() < p.forgottenScan) {
      // Dropped first; the screen asks what went in; the shopper scans it then.
      const grams = this.weightOf(product);
      await this.put(product.sku, grams);
      await this.until((s) => s.prompt?.kind === 'scan-added', 'the cart asks to scan what was added');
      await this.scan(product.gtins[0] as string);
      await this.until((s) => s.prompt === null, 'the forgotten item is confirmed');
      return;
    }
    await this.scan(product.gtins[0] as string);
    await this.put(product.sku, this.weightOf(product));
    await this.until(
      (s) => s.prompt === null && !s.locks.some((l) => l.kind === 'unconfirmed-lines'),
      'item confirmed',
    );
  }

  private async produce(snapshot: PricingSnapshot): Promise<void> {
    const product = this.pick(snapshot, (x) => x.soldBy === 'weight' && x.plu !== null && x.tareG !== null);
    if (!product) return;
    await this.shop.act({ type: 'search-produce', query: product.plu as string });
    await this.pause();
    await this.shop.act({ type: 'weigh-produce', sku: product.sku });
    const grams = 300 + Math.round(this.random() * 900);
    await this.put(product.sku, grams + (product.tareG ?? 0));
    await this.until((s) => s.prompt === null, 'produce weighed');
  }

  private async deli(snapshot: PricingSnapshot): Promise<void> {
    const product = this.pick(snapshot, (x) => x.soldBy === 'weight' && x.plu !== null && x.tareG === null);
    if (!product) return;
    const grams = 150 + Math.round(this.random() * 350);
    await this.scan(variableMeasureLabel('weight', product.plu as string, grams));
    await this.put(product.sku, grams);
    await this.until((s) => s.prompt === null, 'deli label confirmed');
  }

  private async beer(snapshot: PricingSnapshot): Promise<void> {
    const product = this.pick(snapshot, (x) => x.minAge !== null && x.soldBy === 'each');
    if (!product) return;
    await this.scan(product.gtins[0] as string);
    await this.put(product.sku, this.weightOf(product));
    await this.until((s) => s.prompt === null, 'beer in the basket');
  }

  private async removeOne(): Promise<void> {
    const index = Math.floor(this.random() * this.carried.length);
    const item = this.carried[index];
    if (!item) return;
    this.hands.takeItem(item.grams);
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
    for (const item of this.carried.splice(0)) this.hands.takeItem(item.grams);
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
        this.hands.takeItem(item.grams);
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

  private async put(sku: string, grams: number): Promise<void> {
    await this.pause(0.5);
    this.hands.putItem(grams);
    this.carried.push({ sku, grams });
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
      if (Date.now() > deadline) throw new Error(`waited too long for: ${what}`);
      await this.sleep(100);
    }
  }
}
