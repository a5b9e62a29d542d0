import assert from 'node:assert/strict';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CartNearby } from '../../protocol/broadcast/presence.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import { shadowTopics } from '../../protocol/topics.ts';
import { eventually, mqttJsClient, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const STORE = 'hf-shanghai-xuhui';
const DAIRY = `${STORE}-dairy`;
const BAKERY = `${STORE}-bakery`;

describe('carts as presence sensors: a cart entering a zone nudges the speakers in it (real fleet and broker)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  const clients: mqttJs.MqttClient[] = [];
  const received = new Map<string, CartNearby[]>();
  let cart: mqttJs.MqttClient;

  const listen = async (thingName: string, zoneId: string | null) => {
    const device = await registerDevice(fleet, thingName, 'speaker');
    fleet.services.registry.updateThing(thingName, { storeId: STORE, zoneId });
    const client = await mqttJsClient(fleet.services.broker.tlsPort, device, thingName);
    clients.push(client);
    received.set(thingName, []);
    client.on('message', (_topic, payload) => received.get(thingName)!.push(JSON.parse(payload.toString())));
    await client.subscribeAsync(commerceTopics.notify(thingName, 'cart-nearby'));
  };
  const enter = async (zone: string | null) => {
    const before = fleet.services.cartPresence.sent;
    await cart.publishAsync(
      shadowTopics.request('cart-p1', 'update'),
      JSON.stringify({ state: { reported: { zone } } }),
      { qos: 1 },
    );
    return before;
  };

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    await listen('spk-dairy', DAIRY);
    await listen('spk-bakery', BAKERY);
    await listen('spk-box', null);
    const device = await registerDevice(fleet, 'cart-p1', 'cart');
    fleet.services.registry.updateThing('cart-p1', { storeId: STORE });
    cart = await mqttJsClient(fleet.services.broker.tlsPort, device, 'cart-p1');
    clients.push(cart);
  });

  after(async () => {
    for (const c of clients) await c.endAsync();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('nudges only the speaker of the zone the cart entered, once per entry', async () => {
    await enter(DAIRY);
    await eventually(() => received.get('spk-dairy')!.length === 1 || undefined, 5000, 'dairy nudged');
    const [nudge] = received.get('spk-dairy')!;
    assert.equal(nudge?.cart, 'cart-p1');
    assert.equal(nudge?.zoneId, DAIRY);
    assert.match(nudge?.msgId ?? '', /^[0-9a-f-]{36}$/);

    // Staying in the zone (another report with the same zone) is not another shopper.
    await cart.publishAsync(
      shadowTopics.request('cart-p1', 'update'),
      JSON.stringify({ state: { reported: { zone: DAIRY, battery: 80 } } }),
      { qos: 1 },
    );
    // Positive control for the silence: moving on to the bakery nudges the bakery speaker, and the relay handled the
    // dairy report before this one (the broker delivers one client's publishes in order).
    await enter(BAKERY);
    await eventually(() => received.get('spk-bakery')!.length === 1 || undefined, 5000, 'bakery nudged');
    assert.equal(received.get('spk-dairy')!.length, 1, 'no second nudge for staying in the dairy');
    assert.equal(received.get('spk-box')!.length, 0, 'a speaker without a zone is never nudged');

    await enter(DAIRY);
    await eventually(() => received.get('spk-dairy')!.length === 2 || undefined, 5000, 'dairy nudged again');
  });

  it('ignores a zone reported in the shadow of a thing that is not a cart', async () => {
    const sent = fleet.services.cartPresence.sent;
    // A speaker reporting a "zone" in its own shadow is not a cart entering it.
    const speaker = clients[0]!;
    await speaker.publishAsync(
      shadowTopics.request('spk-dairy', 'update'),
      JSON.stringify({ state: { reported: { zone: BAKERY } } }),
      { qos: 1 },
    );
    await enter(null);
    await enter(BAKERY);
    await eventually(() => received.get('spk-bakery')!.length === 2 || undefined, 5000, 'bakery nudged again');
    assert.equal(fleet.services.cartPresence.sent, sent + 1, 'only the cart’s entry counted');
  });
});
