import assert from 'node:assert/strict';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { applyUpdate, type StoredShadow, type UpdateRequest } from '../../../fleet/shadow/shadow-document.ts';
import { PhotoOptInSync } from '../../../fleet/vision/photo-opt-in.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';

/** Classic shadows kept in memory, updated by the shadow document's own rules (nested desired objects merge). */
class MemoryShadows {
  readonly docs = new Map<string, StoredShadow>();
  updates: string[] = [];

  find(thingName: string, shadowName?: string): StoredShadow | undefined {
    assert.equal(shadowName, undefined, 'the classic shadow');
    return this.docs.get(thingName);
  }

  async update(thingName: string, shadowName: string | undefined, request: UpdateRequest) {
    assert.equal(shadowName, undefined, 'the classic shadow');
    const applied = applyUpdate(this.docs.get(thingName), undefined, request, 1_800_000_000, 8192);
    assert.ok(applied.ok);
    this.docs.set(thingName, applied.outcome.next);
    this.updates.push(thingName);
    return { ok: true as const, payload: applied.outcome.accepted };
  }

  desired(thingName: string): unknown {
    return this.docs.get(thingName)?.state.desired?.vision;
  }
}

describe('PhotoOptInSync: the store’s photo opt-in as desired.vision.contributePhotos on its carts', () => {
  const things = new Map<string, { kind: 'cart' | 'speaker'; storeId: string | null }>();
  const optedIn = new Set<string>();
  let shadows: MemoryShadows;
  let bus: EventBus<FleetEvents>;
  let sync: PhotoOptInSync;

  beforeEach(async () => {
    things.clear();
    optedIn.clear();
    things.set('cart-a1', { kind: 'cart', storeId: 'store-a' });
    things.set('cart-a2', { kind: 'cart', storeId: 'store-a' });
    things.set('cart-b1', { kind: 'cart', storeId: 'store-b' });
    things.set('speaker-a1', { kind: 'speaker', storeId: 'store-a' });
    optedIn.add('store-b');
    shadows = new MemoryShadows();
    // cart-a2 keeps its brightness and a stale opt-in from before the fleet restarted.
    await shadows.update('cart-a2', undefined, {
      state: { desired: { brightness: 70, vision: { contributePhotos: true } } },
    });
    shadows.updates = [];
    bus = new EventBus<FleetEvents>(silentLogger());
    const carts = () => [...things].filter(([, t]) => t.kind === 'cart');
    sync = new PhotoOptInSync({
      carts: () => carts().map(([thingName, t]) => ({ thingName, storeId: t.storeId })),
      cartsOf: (storeId) =>
        carts()
          .filter(([, t]) => t.storeId === storeId)
          .map(([name]) => name),
      cartStore: (thingName) => {
        const thing = things.get(thingName);
        return thing?.kind === 'cart' ? thing.storeId : undefined;
      },
      contributions: (storeId) => optedIn.has(storeId),
      shadows,
      bus,
      log: silentLogger(),
    });
    await sync.start();
  });

  afterEach(() => sync.stop());

  it('at start: opted-in stores’ carts get true, a stale true goes false, carts never opted in get nothing', () => {
    assert.deepEqual(shadows.desired('cart-b1'), { contributePhotos: true });
    assert.deepEqual(shadows.desired('cart-a2'), { contributePhotos: false });
    assert.equal(shadows.docs.get('cart-a2')?.state.desired?.brightness, 70, 'other desired keys stay');
    assert.equal(shadows.desired('cart-a1'), undefined, 'no vision key on a cart that was never opted in');
    assert.equal(shadows.docs.has('speaker-a1'), false, 'speakers are not carts');
  });

  it('a store’s setting changing reaches every cart of that store, and only the differences are written', async () => {
    optedIn.add('store-a');
    shadows.updates = [];
    await sync.storeChanged('store-a');
    assert.deepEqual(shadows.desired('cart-a1'), { contributePhotos: true });
    assert.deepEqual(shadows.desired('cart-a2'), { contributePhotos: true });
    assert.deepEqual(shadows.updates.sort(), ['cart-a1', 'cart-a2']);
    shadows.updates = [];
    await sync.storeChanged('store-a');
    assert.deepEqual(shadows.updates, [], 'nothing to change, nothing written');
    optedIn.delete('store-a');
    await sync.storeChanged('store-a');
    assert.deepEqual(shadows.desired('cart-a1'), { contributePhotos: false });
  });

  it('a cart that joins an opted-in store (registered, or moved) is told; moved out of it, it is told false', async () => {
    things.set('cart-new', { kind: 'cart', storeId: 'store-b' });
    bus.emit('thing.registered', { thingName: 'cart-new' });
    await eventually(() => shadows.desired('cart-new') !== undefined);
    assert.deepEqual(shadows.desired('cart-new'), { contributePhotos: true });
    things.set('cart-a1', { kind: 'cart', storeId: 'store-b' });
    bus.emit('thing.changed', { thingName: 'cart-a1' });
    await eventually(() => shadows.desired('cart-a1') !== undefined);
    assert.deepEqual(shadows.desired('cart-a1'), { contributePhotos: true });
    things.set('cart-a1', { kind: 'cart', storeId: null });
    bus.emit('thing.changed', { thingName: 'cart-a1' });
    await eventually(() => (shadows.desired('cart-a1') as { contributePhotos: boolean }).contributePhotos === false);
  });
});

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(check(), 'the sync did not happen');
}
