import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';

/** What the opt-in sync reads of the registry and the store's vision settings. */
export interface PhotoOptInDeps {
  /** Every cart of the fleet, with its store (null: none). */
  carts(): { thingName: string; storeId: string | null }[];
  cartsOf(storeId: string): string[];
  /** A cart's store, or undefined when the thing is not a cart (or not registered). */
  cartStore(thingName: string): string | null | undefined;
  /** The store's photo contribution opt-in (its vision settings). */
  contributions(storeId: string): boolean;
  shadows: Pick<ShadowService, 'find' | 'update'>;
  bus: EventBus<FleetEvents>;
  log: Logger;
}

/**
 * The store's photo contribution opt-in, told to its carts (issue 11 item 4): each cart's classic shadow has
 * `desired.vision.contributePhotos` = its store's setting (false for a cart in no store), set when the setting
 * changes, when a cart is registered or changes store, and for every cart at start (a change made while the fleet was
 * down). An online cart gets the delta at once, an offline one when it reconnects. Only differences are written, and
 * a cart that was never opted in gets no `vision` key at all.
 */
export class PhotoOptInSync {
  private offs: (() => void)[] = [];

  constructor(private readonly deps: PhotoOptInDeps) {}

  async start(): Promise<void> {
    const { bus } = this.deps;
    this.offs.push(
      bus.on('thing.registered', ({ thingName }) => void this.syncThing(thingName)),
      bus.on('thing.changed', ({ thingName }) => void this.syncThing(thingName)),
    );
    for (const cart of this.deps.carts()) await this.sync(cart.thingName, cart.storeId);
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** The store's setting changed: every cart of the store is told. */
  async storeChanged(storeId: string): Promise<void> {
    for (const thingName of this.deps.cartsOf(storeId)) await this.sync(thingName, storeId);
  }

  /** One cart, after it was registered or moved (a thing that is not a cart is left alone). */
  async syncThing(thingName: string): Promise<void> {
    const storeId = this.deps.cartStore(thingName);
    if (storeId === undefined) return;
    await this.sync(thingName, storeId);
  }

  private async sync(thingName: string, storeId: string | null): Promise<void> {
    const want = storeId !== null && this.deps.contributions(storeId);
    const desired = this.deps.shadows.find(thingName)?.state.desired?.vision as JsonObject | null | undefined;
    const current = desired?.contributePhotos;
    if (current === want || (current === undefined && !want)) return;
    try {
      // Nested desired objects merge (AWS's rule): the cart's other `vision` keys, if any, stay.
      const result = await this.deps.shadows.update(thingName, undefined, {
        state: { desired: { vision: { contributePhotos: want } } },
      });
      if (!result.ok) this.deps.log.warn({ thingName, error: result.error }, 'photo opt-in not set on the cart');
    } catch (err) {
      this.deps.log.warn({ thingName, err }, 'photo opt-in not set on the cart');
    }
  }
}
