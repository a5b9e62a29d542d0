import assert from 'node:assert/strict';
import { iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import {
  mqttJsClient,
  registerDevice,
  sdkConnection,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

/** A JSON document as it came off the wire (the SDK hands over `JSON.parse` of the payload). */
type Doc = { [key: string]: unknown };

const QOS = mqtt.QoS.AtLeastOnce;

/** The fleet's clock: AWS stamps shadow documents in epoch seconds, so a test moves it to see a timestamp change. */
const clock = new FakeClock(Date.now());

function nowSeconds(): number {
  return Math.floor(clock.now() / 1000);
}

/** Asserts an integer epoch-seconds timestamp within [from, to] and returns it. */
function epochSeconds(value: unknown, from: number, to: number, what = 'timestamp'): number {
  assert.ok(typeof value === 'number' && Number.isInteger(value), `${what} ${String(value)} is integer seconds`);
  assert.ok(from <= value && value <= to, `${what} ${value} within [${from}, ${to}]`);
  return value;
}

/**
 * The messages of one subscription, in arrival order: `next()` resolves with the next one (or fails after a
 * timeout), `none()` asserts that nothing (more) has arrived.
 */
class Inbox {
  private readonly queue: (Doc | Error)[] = [];
  private readonly waiters: ((item: Doc | Error) => void)[] = [];

  constructor(readonly name: string) {}

  /** The SDK's message handler shape: `(error?, response?)`. */
  readonly handler = (error?: Error, response?: unknown): void => {
    const item: Doc | Error = error ?? (response as Doc);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.queue.push(item);
  };

  async next(timeoutMs = 3000): Promise<Doc> {
    const item =
      this.queue.shift() ??
      (await new Promise<Doc | Error>((resolve, reject) => {
        const waiter = (value: Doc | Error) => {
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no message on ${this.name} within ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiters.push(waiter);
      }));
    if (item instanceof Error) throw item;
    return item;
  }

  /**
   * Asserts that nothing (more) arrived. Call it once a message that would have come after it has arrived: the shadow
   * service answers each request on one connection in order (accepted, then delta, then documents), so after an
   * update's documents its delta is in or was never sent, and after a request's answer nothing else answers it.
   */
  none(): void {
    assert.deepEqual(this.queue, [], `no message expected on ${this.name}`);
  }
}

type Subscribe = (handler: Inbox['handler']) => Promise<mqtt.MqttSubscribeRequest>;

/** Subscribes through the SDK and checks the broker granted QoS 1 (a refused subscription is SUBACK 128). */
async function listen(name: string, subscribe: Subscribe): Promise<Inbox> {
  const inbox = new Inbox(name);
  const granted = await subscribe(inbox.handler);
  assert.equal(granted.qos, QOS, `subscription to ${name} granted`);
  return inbox;
}

describe('device shadow over MQTT (real broker, AWS SDK shadow client)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  const open: mqtt.MqttClientConnection[] = [];
  const rawClients: mqttJs.MqttClient[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, {}, { clock });
  });

  afterEach(async () => {
    for (const c of open.splice(0)) await c.disconnect().catch(() => {});
    for (const c of rawClients.splice(0)) await c.endAsync().catch(() => {});
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  /** Registers `thingName`, connects it with the AWS SDK and subscribes to its classic shadow's response topics. */
  async function connectDevice(thingName: string) {
    const credentials = await registerDevice(fleet, thingName);
    const connection = sdkConnection(fleet.services.broker.tlsPort, credentials, thingName);
    open.push(connection);
    await connection.connect();
    const shadow = new iotshadow.IotShadowClient(connection);
    const req = { thingName };
    return {
      thingName,
      credentials,
      shadow,
      updateAccepted: await listen('update/accepted', (h) => shadow.subscribeToUpdateShadowAccepted(req, QOS, h)),
      updateRejected: await listen('update/rejected', (h) => shadow.subscribeToUpdateShadowRejected(req, QOS, h)),
      delta: await listen('update/delta', (h) => shadow.subscribeToShadowDeltaUpdatedEvents(req, QOS, h)),
      documents: await listen('update/documents', (h) => shadow.subscribeToShadowUpdatedEvents(req, QOS, h)),
      getAccepted: await listen('get/accepted', (h) => shadow.subscribeToGetShadowAccepted(req, QOS, h)),
      getRejected: await listen('get/rejected', (h) => shadow.subscribeToGetShadowRejected(req, QOS, h)),
    };
  }

  type Device = Awaited<ReturnType<typeof connectDevice>>;

  /** Publishes a classic update and returns its update/accepted document. */
  async function update(d: Device, request: Omit<iotshadow.model.UpdateShadowRequest, 'thingName'>): Promise<Doc> {
    await d.shadow.publishUpdateShadow({ thingName: d.thingName, ...request }, QOS);
    return d.updateAccepted.next();
  }

  async function getClassic(d: Device, clientToken?: string): Promise<Doc> {
    await d.shadow.publishGetShadow(
      clientToken === undefined ? { thingName: d.thingName } : { thingName: d.thingName, clientToken },
      QOS,
    );
    return d.getAccepted.next();
  }

  it('echoes a desired update on update/accepted and publishes the full delta and the documents', async () => {
    const d = await connectDevice('shadow-desired');
    const from = nowSeconds();
    const accepted = await update(d, { state: { desired: { color: 'red', volume: 5 } }, clientToken: 'tok-1' });
    const t1 = epochSeconds(accepted.timestamp, from, nowSeconds());
    assert.deepEqual(accepted, {
      state: { desired: { color: 'red', volume: 5 } },
      metadata: { desired: { color: { timestamp: t1 }, volume: { timestamp: t1 } } },
      version: 1,
      timestamp: t1,
      clientToken: 'tok-1',
    });
    assert.deepEqual(await d.delta.next(), {
      state: { color: 'red', volume: 5 },
      metadata: { color: { timestamp: t1 }, volume: { timestamp: t1 } },
      version: 1,
      timestamp: t1,
      clientToken: 'tok-1',
    });
    const v1 = {
      state: { desired: { color: 'red', volume: 5 } },
      metadata: { desired: { color: { timestamp: t1 }, volume: { timestamp: t1 } } },
      version: 1,
    };
    assert.deepEqual(await d.documents.next(), { previous: null, current: v1, timestamp: t1, clientToken: 'tok-1' });

    // a second update of one field: the delta still carries every desired field that differs, not just that one
    const second = await update(d, { state: { desired: { volume: 7 } }, clientToken: 'tok-2' });
    const t2 = epochSeconds(second.timestamp, t1, nowSeconds());
    assert.deepEqual(second, {
      state: { desired: { volume: 7 } },
      metadata: { desired: { volume: { timestamp: t2 } } },
      version: 2,
      timestamp: t2,
      clientToken: 'tok-2',
    });
    assert.deepEqual(await d.delta.next(), {
      state: { color: 'red', volume: 7 },
      metadata: { color: { timestamp: t1 }, volume: { timestamp: t2 } },
      version: 2,
      timestamp: t2,
      clientToken: 'tok-2',
    });
    assert.deepEqual(await d.documents.next(), {
      previous: v1,
      current: {
        state: { desired: { color: 'red', volume: 7 } },
        metadata: { desired: { color: { timestamp: t1 }, volume: { timestamp: t2 } } },
        version: 2,
      },
      timestamp: t2,
      clientToken: 'tok-2',
    });
  });

  it('publishes the full delta after a reported-only update that leaves a difference, and none once in sync', async () => {
    const d = await connectDevice('shadow-reported');
    const desired = { color: 'red', volume: 5, mode: 'eco' };
    const first = await update(d, { state: { desired }, clientToken: 'd-1' });
    const t1 = epochSeconds(first.timestamp, 0, nowSeconds());
    const desiredMetadata = { color: { timestamp: t1 }, volume: { timestamp: t1 }, mode: { timestamp: t1 } };
    assert.deepEqual((await d.delta.next()).state, desired);
    await d.documents.next();

    const second = await update(d, { state: { reported: { color: 'red' } }, clientToken: 'r-1' });
    const t2 = epochSeconds(second.timestamp, t1, nowSeconds());
    assert.deepEqual(second, {
      state: { reported: { color: 'red' } },
      metadata: { reported: { color: { timestamp: t2 } } },
      version: 2,
      timestamp: t2,
      clientToken: 'r-1',
    });
    // volume and mode were not in this request, yet the delta holds them, with their desired timestamps
    assert.deepEqual(await d.delta.next(), {
      state: { volume: 5, mode: 'eco' },
      metadata: { volume: { timestamp: t1 }, mode: { timestamp: t1 } },
      version: 2,
      timestamp: t2,
      clientToken: 'r-1',
    });
    assert.deepEqual(await d.documents.next(), {
      previous: { state: { desired }, metadata: { desired: desiredMetadata }, version: 1 },
      current: {
        state: { desired, reported: { color: 'red' } },
        metadata: { desired: desiredMetadata, reported: { color: { timestamp: t2 } } },
        version: 2,
      },
      timestamp: t2,
      clientToken: 'r-1',
    });

    const third = await update(d, { state: { reported: { volume: 5, mode: 'eco' } }, clientToken: 'r-2' });
    const t3 = epochSeconds(third.timestamp, t2, nowSeconds());
    assert.equal(third.version, 3);
    assert.equal(((await d.documents.next()).current as Doc).version, 3);
    d.delta.none();

    const from = nowSeconds();
    const got = await getClassic(d, 'g-1');
    const tg = epochSeconds(got.timestamp, from, nowSeconds());
    assert.deepEqual(got, {
      state: { desired, reported: desired },
      metadata: {
        desired: desiredMetadata,
        reported: { color: { timestamp: t2 }, volume: { timestamp: t3 }, mode: { timestamp: t3 } },
      },
      version: 3,
      timestamp: tg,
      clientToken: 'g-1',
    });
  });

  it('rejects an update with a stale version with 409 and accepts the matching version', async () => {
    const d = await connectDevice('shadow-version');
    assert.equal((await update(d, { state: { desired: { volume: 1 } } })).version, 1);
    assert.equal((await update(d, { state: { desired: { volume: 2 } } })).version, 2);

    await d.shadow.publishUpdateShadow(
      { thingName: d.thingName, state: { desired: { volume: 99 } }, version: 1, clientToken: 'stale' },
      QOS,
    );
    assert.deepEqual(await d.updateRejected.next(), { code: 409, message: 'Version conflict', clientToken: 'stale' });

    const accepted = await update(d, { state: { desired: { volume: 3 } }, version: 2, clientToken: 'fresh' });
    assert.equal(accepted.version, 3);
    assert.equal(accepted.clientToken, 'fresh');
    assert.deepEqual(accepted.state, { desired: { volume: 3 } });

    const got = await getClassic(d);
    assert.deepEqual(got.state, { desired: { volume: 3 }, delta: { volume: 3 } });
    assert.equal(got.version, 3);
    d.updateRejected.none();
  });

  it('removes a field with null and the whole section with desired: null', async () => {
    const d = await connectDevice('shadow-null');
    const first = await update(d, {
      state: { desired: { color: 'red', volume: 5, eq: { bass: 2, treble: 1 } }, reported: { color: 'red' } },
    });
    const t1 = epochSeconds(first.timestamp, 0, nowSeconds());
    assert.deepEqual((await d.delta.next()).state, { volume: 5, eq: { bass: 2, treble: 1 } });

    const second = await update(d, { state: { desired: { volume: null, eq: { bass: null } } }, clientToken: 'n-1' });
    const t2 = epochSeconds(second.timestamp, t1, nowSeconds());
    assert.deepEqual(second, {
      state: { desired: { volume: null, eq: { bass: null } } },
      metadata: { desired: { volume: { timestamp: t2 }, eq: { bass: { timestamp: t2 } } } },
      version: 2,
      timestamp: t2,
      clientToken: 'n-1',
    });
    assert.deepEqual((await d.delta.next()).state, { eq: { treble: 1 } });
    const afterNull = await getClassic(d);
    assert.deepEqual(afterNull.state, {
      desired: { color: 'red', eq: { treble: 1 } },
      reported: { color: 'red' },
      delta: { eq: { treble: 1 } },
    });
    assert.deepEqual(afterNull.metadata, {
      desired: { color: { timestamp: t1 }, eq: { treble: { timestamp: t1 } } },
      reported: { color: { timestamp: t1 } },
    });

    // the SDK's ShadowState types desired as `object | undefined`, yet it serializes a null as AWS documents it
    const third = await update(d, { state: { desired: null as unknown as object }, clientToken: 'n-2' });
    const t3 = epochSeconds(third.timestamp, t2, nowSeconds());
    assert.deepEqual(third, {
      state: { desired: null },
      metadata: { desired: { timestamp: t3 } },
      version: 3,
      timestamp: t3,
      clientToken: 'n-2',
    });
    const documents = [await d.documents.next(), await d.documents.next(), await d.documents.next()];
    assert.deepEqual(documents[2]?.current, {
      state: { reported: { color: 'red' } },
      metadata: { reported: { color: { timestamp: t1 } } },
      version: 3,
    });
    d.delta.none();
    const got = await getClassic(d);
    assert.deepEqual(got.state, { reported: { color: 'red' } });
    assert.deepEqual(got.metadata, { reported: { color: { timestamp: t1 } } });
    assert.equal(got.version, 3);
  });

  it('keeps the old metadata timestamp of fields an update did not touch', async () => {
    const d = await connectDevice('shadow-metadata');
    const first = await update(d, { state: { desired: { color: 'red' } } });
    const t1 = epochSeconds(first.timestamp, 0, nowSeconds());
    clock.advance(1000);
    const second = await update(d, { state: { desired: { volume: 5 } } });
    const t2 = epochSeconds(second.timestamp, t1 + 1, nowSeconds());
    assert.deepEqual(second.metadata, { desired: { volume: { timestamp: t2 } } });

    const got = await getClassic(d);
    assert.deepEqual(got.metadata, { desired: { color: { timestamp: t1 }, volume: { timestamp: t2 } } });

    // a reported update: the delta's metadata are the desired timestamps, not the time of this update
    await d.delta.next();
    await d.delta.next();
    const third = await update(d, { state: { reported: { color: 'blue' } } });
    const t3 = epochSeconds(third.timestamp, t2, nowSeconds());
    assert.deepEqual(await d.delta.next(), {
      state: { color: 'red', volume: 5 },
      metadata: { color: { timestamp: t1 }, volume: { timestamp: t2 } },
      version: 3,
      timestamp: t3,
    });
  });

  it('keeps named shadows apart from the classic shadow and from each other', async () => {
    const d = await connectDevice('shadow-named');
    const thingName = d.thingName;
    const named = (shadowName: string) => ({ thingName, shadowName });
    const configAccepted = await listen('config update/accepted', (h) =>
      d.shadow.subscribeToUpdateNamedShadowAccepted(named('config'), QOS, h),
    );
    const configDelta = await listen('config update/delta', (h) =>
      d.shadow.subscribeToNamedShadowDeltaUpdatedEvents(named('config'), QOS, h),
    );
    const lightsAccepted = await listen('lights update/accepted', (h) =>
      d.shadow.subscribeToUpdateNamedShadowAccepted(named('lights'), QOS, h),
    );
    const configGet = await listen('config get/accepted', (h) =>
      d.shadow.subscribeToGetNamedShadowAccepted(named('config'), QOS, h),
    );
    const lightsGet = await listen('lights get/accepted', (h) =>
      d.shadow.subscribeToGetNamedShadowAccepted(named('lights'), QOS, h),
    );
    const absentRejected = await listen('absent get/rejected', (h) =>
      d.shadow.subscribeToGetNamedShadowRejected(named('absent'), QOS, h),
    );
    const configDocuments = await listen('config update/documents', (h) =>
      d.shadow.subscribeToNamedShadowUpdatedEvents(named('config'), QOS, h),
    );

    await d.shadow.publishUpdateNamedShadow(
      { ...named('config'), state: { desired: { mode: 'eco' } }, clientToken: 'c-1' },
      QOS,
    );
    const configFirst = await configAccepted.next();
    const t1 = epochSeconds(configFirst.timestamp, 0, nowSeconds());
    assert.deepEqual(configFirst, {
      state: { desired: { mode: 'eco' } },
      metadata: { desired: { mode: { timestamp: t1 } } },
      version: 1,
      timestamp: t1,
      clientToken: 'c-1',
    });
    assert.deepEqual((await configDelta.next()).state, { mode: 'eco' });

    // the classic shadow does not exist, and saw nothing
    await d.shadow.publishGetShadow({ thingName, clientToken: 'g-1' }, QOS);
    assert.deepEqual(await d.getRejected.next(), {
      code: 404,
      message: `No shadow exists with name: '${thingName}'`,
      clientToken: 'g-1',
    });
    await d.shadow.publishGetNamedShadow({ ...named('absent') }, QOS);
    assert.deepEqual(await absentRejected.next(), { code: 404, message: "No shadow exists with name: 'absent'" });

    // each shadow counts its own versions
    await d.shadow.publishUpdateNamedShadow({ ...named('lights'), state: { desired: { level: 3 } } }, QOS);
    assert.equal((await lightsAccepted.next()).version, 1);
    await d.shadow.publishUpdateNamedShadow({ ...named('config'), state: { reported: { mode: 'eco' } } }, QOS);
    assert.equal((await configAccepted.next()).version, 2);
    assert.equal(((await configDocuments.next()).current as Doc).version, 1);
    assert.equal(((await configDocuments.next()).current as Doc).version, 2);
    configDelta.none(); // in sync: the second config update has no delta
    const classic = await update(d, { state: { desired: { mode: 'sport' } } });
    assert.equal(classic.version, 1);
    assert.deepEqual((await d.delta.next()).state, { mode: 'sport' });

    await d.shadow.publishGetNamedShadow({ ...named('config') }, QOS);
    const config = await configGet.next();
    assert.deepEqual(config.state, { desired: { mode: 'eco' }, reported: { mode: 'eco' } });
    assert.equal(config.version, 2);
    await d.shadow.publishGetNamedShadow({ ...named('lights') }, QOS);
    const lights = await lightsGet.next();
    assert.deepEqual(lights.state, { desired: { level: 3 }, delta: { level: 3 } });
    assert.equal(lights.version, 1);
    const classicGot = await getClassic(d);
    assert.deepEqual(classicGot.state, { desired: { mode: 'sport' }, delta: { mode: 'sport' } });
    assert.equal(classicGot.version, 1);

    configDelta.none();
    assert.deepEqual(fleet.services.shadows.namesOf(thingName), [undefined, 'config', 'lights']);
  });

  it('deletes a named shadow with its version, answers 404 after, and re-creates it with the next version', async () => {
    const d = await connectDevice('shadow-delete');
    const config = { thingName: d.thingName, shadowName: 'config' };
    const accepted = await listen('config update/accepted', (h) =>
      d.shadow.subscribeToUpdateNamedShadowAccepted(config, QOS, h),
    );
    const documents = await listen('config update/documents', (h) =>
      d.shadow.subscribeToNamedShadowUpdatedEvents(config, QOS, h),
    );
    const deleteAccepted = await listen('config delete/accepted', (h) =>
      d.shadow.subscribeToDeleteNamedShadowAccepted(config, QOS, h),
    );
    const deleteRejected = await listen('config delete/rejected', (h) =>
      d.shadow.subscribeToDeleteNamedShadowRejected(config, QOS, h),
    );
    const getRejected = await listen('config get/rejected', (h) =>
      d.shadow.subscribeToGetNamedShadowRejected(config, QOS, h),
    );

    await d.shadow.publishUpdateNamedShadow({ ...config, state: { desired: { mode: 'eco' } } }, QOS);
    assert.equal((await accepted.next()).version, 1);
    await d.shadow.publishUpdateNamedShadow({ ...config, state: { reported: { mode: 'eco' } } }, QOS);
    assert.equal((await accepted.next()).version, 2);
    await documents.next();
    await documents.next();

    const from = nowSeconds();
    await d.shadow.publishDeleteNamedShadow({ ...config, clientToken: 'del-1' }, QOS);
    const deleted = await deleteAccepted.next();
    const td = epochSeconds(deleted.timestamp, from, nowSeconds());
    assert.deepEqual(deleted, { version: 2, timestamp: td, clientToken: 'del-1' });
    documents.none();

    await d.shadow.publishGetNamedShadow({ ...config, clientToken: 'g-1' }, QOS);
    assert.deepEqual(await getRejected.next(), {
      code: 404,
      message: "No shadow exists with name: 'config'",
      clientToken: 'g-1',
    });
    await d.shadow.publishDeleteNamedShadow({ ...config }, QOS);
    assert.deepEqual(await deleteRejected.next(), { code: 404, message: "No shadow exists with name: 'config'" });

    await d.shadow.publishUpdateNamedShadow({ ...config, state: { desired: { mode: 'off' } } }, QOS);
    const recreated = await accepted.next();
    const tr = epochSeconds(recreated.timestamp, td, nowSeconds());
    assert.equal(recreated.version, 3);
    assert.deepEqual(await documents.next(), {
      previous: null,
      current: {
        state: { desired: { mode: 'off' } },
        metadata: { desired: { mode: { timestamp: tr } } },
        version: 3,
      },
      timestamp: tr,
    });
  });

  it('rejects a state over 8 KB with 413 and leaves the stored shadow unchanged', async () => {
    const d = await connectDevice('shadow-size');
    const first = await update(d, { state: { desired: { volume: 10 } } });
    assert.equal(first.version, 1);

    const from = nowSeconds();
    await d.shadow.publishUpdateShadow(
      { thingName: d.thingName, state: { desired: { blob: 'x'.repeat(9 * 1024) } }, clientToken: 'big' },
      QOS,
    );
    const rejected = await d.updateRejected.next();
    const t = epochSeconds(rejected.timestamp, from, nowSeconds());
    assert.deepEqual(rejected, {
      code: 413,
      message: 'The payload exceeds the maximum size allowed',
      timestamp: t,
      clientToken: 'big',
    });

    // the limit applies to the merged document: two halves that fit alone do not fit together
    assert.equal((await update(d, { state: { desired: { a: 'x'.repeat(4500) } } })).version, 2);
    await d.shadow.publishUpdateShadow(
      { thingName: d.thingName, state: { reported: { b: 'y'.repeat(4500) } }, clientToken: 'big-2' },
      QOS,
    );
    const merged = await d.updateRejected.next();
    assert.equal(merged.code, 413);
    assert.equal(merged.clientToken, 'big-2');

    d.updateAccepted.none();
    const got = await getClassic(d);
    assert.equal(got.version, 2);
    assert.deepEqual(got.state, {
      desired: { volume: 10, a: 'x'.repeat(4500) },
      delta: { volume: 10, a: 'x'.repeat(4500) },
    });
  });

  it('answers malformed JSON and wrong types with 400 and keeps serving the connection', async () => {
    const device: TestDevice = await registerDevice(fleet, 'shadow-malformed');
    const client = await mqttJsClient(fleet.services.broker.tlsPort, device, device.thingName);
    rawClients.push(client);
    const prefix = `$aws/things/${device.thingName}/shadow/update`;
    const inboxes = new Map([
      [`${prefix}/accepted`, new Inbox('update/accepted')],
      [`${prefix}/rejected`, new Inbox('update/rejected')],
    ]);
    client.on('message', (topic, payload) => inboxes.get(topic)?.handler(undefined, JSON.parse(payload.toString())));
    await client.subscribeAsync([...inboxes.keys()], { qos: 1 });
    const accepted = inboxes.get(`${prefix}/accepted`)!;
    const rejected = inboxes.get(`${prefix}/rejected`)!;

    const from = nowSeconds();
    await client.publishAsync(prefix, '{"state":{"desired":', { qos: 1 });
    const invalid = await rejected.next();
    const t1 = epochSeconds(invalid.timestamp, from, nowSeconds());
    assert.deepEqual(invalid, { code: 400, message: 'Invalid JSON', timestamp: t1 });

    await client.publishAsync(prefix, JSON.stringify({ state: { desired: 5 }, clientToken: 'w-1' }), { qos: 1 });
    const wrongType = await rejected.next();
    const t2 = epochSeconds(wrongType.timestamp, from, nowSeconds());
    assert.deepEqual(wrongType, {
      code: 400,
      message: 'Desired node must be an object',
      timestamp: t2,
      clientToken: 'w-1',
    });
    accepted.none();
    assert.equal(fleet.services.shadows.find(device.thingName), undefined);

    assert.ok(client.connected, 'the connection stays up');
    await client.publishAsync(prefix, JSON.stringify({ state: { desired: { volume: 4 } }, clientToken: 'ok-1' }), {
      qos: 1,
    });
    const ok = await accepted.next();
    assert.equal(ok.version, 1);
    assert.equal(ok.clientToken, 'ok-1');
    assert.deepEqual(ok.state, { desired: { volume: 4 } });
  });

  it("delivers a desired change made through the fleet's own API to the device's delta subscription", async () => {
    const d = await connectDevice('shadow-operator');
    const from = nowSeconds();
    const result = await fleet.services.shadows.update(d.thingName, undefined, { state: { desired: { volume: 30 } } });

    const delta = await d.delta.next();
    const t = epochSeconds(delta.timestamp, from, nowSeconds());
    assert.deepEqual(delta, {
      state: { volume: 30 },
      metadata: { volume: { timestamp: t } },
      version: 1,
      timestamp: t,
    });

    // as on AWS, an update from outside MQTT is announced on update/accepted too
    const accepted = await d.updateAccepted.next();
    assert.deepEqual(accepted, {
      state: { desired: { volume: 30 } },
      metadata: { desired: { volume: { timestamp: t } } },
      version: 1,
      timestamp: t,
    });
    assert.deepEqual(result, { ok: true, payload: accepted });
    assert.equal((await d.documents.next()).previous, null);

    // the device applies it and reports back: in sync, no further delta
    const reported = await update(d, { state: { reported: { volume: 30 } }, clientToken: 'dev-1' });
    assert.equal(reported.version, 2);
    assert.equal(((await d.documents.next()).current as Doc).version, 2);
    d.delta.none();
    const got = fleet.services.shadows.get(d.thingName, undefined);
    assert.ok(got.ok);
    assert.deepEqual((got.payload as Doc).state, { desired: { volume: 30 }, reported: { volume: 30 } });
  });
});
