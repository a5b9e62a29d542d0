import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { DEMO_STORES, demoFloorPlan } from '../../fleet/registry/demo-seed.ts';
import { apiUser, eventually, mqttJsClient, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';

describe('fleet HTTP endpoint', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let token: string;
  let cart: Awaited<ReturnType<typeof registerDevice>>;
  const get = (url: string, auth = true) =>
    fleet.services.http.instance!.inject({
      method: 'GET',
      url,
      headers: auth ? { authorization: `Bearer ${token}` } : {},
    });

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    token = (await apiUser(fleet, 'hq', 'hq-admin')).token;
    cart = await registerDevice(fleet, 'cart-h1');
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-h1');
    await client.publishAsync(
      'dt/cartfleet/cart-h1/telemetry',
      JSON.stringify({ msgId: 'h-1', ts: Date.now() - 1000, metrics: { 'battery.percent': 64 } }),
      { qos: 1 },
    );
    await client.publishAsync(
      '$aws/things/cart-h1/shadow/update',
      JSON.stringify({ state: { reported: { zone: 'dock' } } }),
      { qos: 1 },
    );
    await eventually(() => fleet.services.shadows.find('cart-h1'), 3000, 'shadow');
    await client.endAsync();
    await eventually(() => fleet.services.presence.get('cart-h1')?.state === 'offline', 3000, 'offline after grace');
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('requires a signed-in user or an API token', async () => {
    const res = await get('/api/devices', false);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'NOT_AUTHENTICATED');
    assert.equal(
      (await fleet.services.http.instance!.inject({ url: '/api/devices', headers: { authorization: 'Bearer nope' } }))
        .statusCode,
      401,
    );
    assert.equal((await get('/healthz', false)).statusCode, 200);
  });

  it('lists devices with presence, latest telemetry and shadow', async () => {
    const summary = async () => {
      const res = await get('/api/devices?kind=cart');
      assert.equal(res.statusCode, 200);
      return res.json().items.find((d: { thingName: string }) => d.thingName === 'cart-h1');
    };
    const device = await summary();
    assert.equal(device.presence.state, 'offline');
    assert.equal(device.battery, 64);
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-h1');
    try {
      await eventually(() => fleet.services.presence.get('cart-h1')?.state === 'online', 3000, 'online');
      assert.equal((await summary()).presence.state, 'online');
    } finally {
      await client.endAsync();
      await eventually(() => !fleet.services.broker.isConnected('cart-h1'), 3000, 'disconnected');
    }
    const detail = (await get('/api/devices/cart-h1')).json();
    assert.equal(detail.latest.telemetry.metrics['battery.percent'], 64);
    assert.deepEqual(detail.shadow.reported, { zone: 'dock' });
    assert.equal(detail.shadow.version, 1);
  });

  it('answers telemetry history and validates the query', async () => {
    const res = await get('/api/devices/cart-h1/telemetry?metric=battery.percent&from=0');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().map((p: { metrics: unknown }) => p.metrics),
      [{ 'battery.percent': 64 }],
    );
    const bad = await get('/api/devices/cart-h1/telemetry?limit=0');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'BAD_REQUEST');
    const inverted = await get('/api/devices/cart-h1/telemetry?from=10&to=5');
    assert.equal(inverted.json().code, 'TELEMETRY_QUERY_INVALID');
    const missing = await get('/api/devices/nope');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'THING_NOT_FOUND');
  });

  it('lists the seeded stores with their floor-plan zones', async () => {
    const stores = (await get('/api/stores')).json() as { id: string; zones: { id: string }[] }[];
    assert.deepEqual(stores.map((s) => s.id).sort(), DEMO_STORES.map((s) => s.id).sort());
    for (const store of stores) {
      assert.deepEqual(
        store.zones.map((z) => z.id).sort(),
        demoFloorPlan(store.id)
          .map((z) => z.id)
          .sort(),
        `the zones of ${store.id}`,
      );
    }
  });

  it("serves Prometheus metrics to an hq-admin's token", async () => {
    assert.equal((await get('/metrics', false)).statusCode, 401);
    await get('/api/devices');
    const res = await get('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    const metric = (name: string) => {
      const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
      assert.ok(line, `${name} present`);
      return Number(line.split(' ')[1]);
    };
    assert.equal(metric('cartfleet_telemetry_stored_total'), 1);
    assert.equal(metric('cartfleet_mqtt_messages_in_total'), 2, 'telemetry and a shadow update came in');
    assert.equal(metric('cartfleet_mqtt_connections'), 0);
    assert.equal(metric('cartfleet_telemetry_ingest_lag_seconds_count'), 1, 'one batch committed');
    assert.match(
      res.body,
      /cartfleet_http_request_duration_seconds_count\{method="GET",route="\/api\/devices",status="200"\} \d+/,
    );
    assert.match(res.body, /cartfleet_process_resident_memory_bytes \d+/);
  });
});
