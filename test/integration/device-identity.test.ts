import assert from 'node:assert/strict';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { CertificateAuthority } from '../../fleet/pki/certificate-authority.ts';
import { silentLogger } from '../../platform/log.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  sdkConnection,
  startFleet,
  subscribeReturnCodes,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

describe('device identity and the default device policy (real broker, mTLS, AWS SDK client)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cartA: TestDevice;
  let cartB: TestDevice;
  const open: mqtt.MqttClientConnection[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path);
    cartA = await registerDevice(fleet, 'cart-a');
    cartB = await registerDevice(fleet, 'cart-b');
  });

  afterEach(async () => {
    for (const c of open.splice(0)) await c.disconnect().catch(() => {});
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  function connect(credentials: TestDevice, clientId: string, caPem?: string) {
    const connection = sdkConnection(fleet.services.broker.tlsPort, credentials, clientId, { caPem });
    open.push(connection);
    return connection;
  }

  it('accepts a device connecting with its own certificate and its thing name as client id', async () => {
    const connection = connect(cartA, 'cart-a');
    await connection.connect();
    await eventually(() => fleet.services.broker.connectedClientIds().includes('cart-a'), 3000, 'cart-a connected');
  });

  it('refuses a wrong client id (CONNACK not authorized)', async () => {
    await assert.rejects(connect(cartA, 'cart-a-impostor').connect());
    assert.ok(!fleet.services.broker.connectedClientIds().includes('cart-a-impostor'));
  });

  it("refuses a device that presents another device's certificate and claims that device's name", async () => {
    // cart-b's certificate, client id cart-a: the certificate is not attached to thing cart-a
    await assert.rejects(connect(cartB, 'cart-a').connect());
  });

  it('refuses a certificate from a foreign CA at the TLS handshake', async () => {
    const forger = tempDir();
    const foreignCa = new CertificateAuthority(
      {
        dir: forger.path,
        hostNames: ['localhost'],
        caValidityDays: 30,
        serverValidityDays: 10,
        deviceValidityDays: 10,
        commonName: 'Cartfleet Device CA',
      },
      silentLogger(),
    );
    await foreignCa.start();
    const forged = await foreignCa.issueClientCertificate('cart-a');
    const credentials = { ...cartA, certificatePem: forged.certificatePem, privateKeyPem: forged.privateKeyPem };
    try {
      await assert.rejects(connect(credentials, 'cart-a', cartA.caPem).connect());
    } finally {
      forger.cleanup();
    }
  });

  it("refuses a subscription to another device's topics with SUBACK 0x80 and keeps the connection", async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartA, 'cart-a');
    try {
      const codes = await subscribeReturnCodes(client, [
        '$aws/things/cart-b/shadow/update/delta',
        '$aws/things/cart-a/shadow/update/delta',
        '$aws/things/+/shadow/update/delta',
        'dt/cartfleet/#',
      ]);
      assert.deepEqual(codes, [128, 0, 128, 128]);
      assert.ok(client.connected);
    } finally {
      await client.endAsync();
    }
  });

  it("disconnects a device that publishes to another device's topic, and stores nothing", async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartA, 'cart-a');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(
      'dt/cartfleet/cart-b/telemetry',
      JSON.stringify({ msgId: 'forged-1', ts: Date.now(), metrics: { 'battery.percent': 1 } }),
      { qos: 1 },
    );
    await closed;
    fleet.services.telemetry.flush();
    assert.equal(
      fleet.services.telemetry.history({ thingName: 'cart-b', from: 0, to: Date.now(), limit: 10 }).length,
      0,
    );
    // the broker keeps serving others
    const other = await mqttJsClient(fleet.services.broker.tlsPort, cartB, 'cart-b');
    await other.endAsync();
  });

  it('disconnects a device that forges a shadow service response on its own thing', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartA, 'cart-a');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('$aws/things/cart-a/shadow/update/delta', JSON.stringify({ state: { volume: 100 }, version: 99 }), {
      qos: 1,
    });
    await closed;
    assert.equal(fleet.services.shadows.find('cart-a'), undefined, 'nothing stored');
  });

  it('refuses a revoked certificate and closes its live connection', async () => {
    const cartC = await registerDevice(fleet, 'cart-c');
    const live = await mqttJsClient(fleet.services.broker.tlsPort, cartC, 'cart-c');
    const closed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    fleet.services.registry.revokeCertificate(cartC.certificateId, 'test');
    await closed;
    await assert.rejects(connect(cartC, 'cart-c').connect());
    assert.equal(fleet.services.registry.certificatesOf('cart-c')[0]?.status, 'REVOKED');
  });

  it('applies policy changes to live connections', async () => {
    const cartE = await registerDevice(fleet, 'cart-e');
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartE, 'cart-e');
    const events: string[] = [];
    client.on('message', (topic) => events.push(topic));
    assert.deepEqual(await subscribeReturnCodes(client, ['$aws/things/cart-e/shadow/update/delta']), [0]);
    // A second policy that denies receiving deltas: the existing subscription stops delivering at once.
    fleet.services.registry.putPolicy('NoDeltas', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: 'iot:Receive', Resource: 'arn:aws:iot:*:*:topic/$aws/things/*/shadow/update/delta' },
      ],
    });
    fleet.services.registry.attachPolicy('NoDeltas', cartE.certificateId);
    await fleet.services.shadows.update('cart-e', undefined, { state: { desired: { brightness: 10 } } });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(events, [], 'the Deny applies to a subscription made before it');
    // Without the default policy the device may no longer connect: its live connection is closed.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    fleet.services.registry.detachPolicy('DeviceDefault', cartE.certificateId);
    await closed;
  });

  it('lets a device touch its own shadow and data topics', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartB, 'cart-b');
    try {
      await client.subscribeAsync('$aws/things/cart-b/shadow/get/rejected');
      const rejected = new Promise<Buffer>((resolve) => client.once('message', (_t, payload) => resolve(payload)));
      await client.publishAsync('$aws/things/cart-b/shadow/get', '', { qos: 1 });
      const body = JSON.parse((await rejected).toString());
      assert.equal(body.code, 404);
      await client.publishAsync(
        'dt/cartfleet/cart-b/telemetry',
        JSON.stringify({ msgId: 'ok-1', ts: Date.now(), metrics: { 'battery.percent': 77 } }),
        { qos: 1 },
      );
      await eventually(
        () =>
          fleet.services.telemetry.history({ thingName: 'cart-b', from: 0, to: Date.now(), limit: 10 }).length === 1,
      );
    } finally {
      await client.endAsync();
    }
  });
});
