import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { CertificateAuthority } from '../../fleet/pki/certificate-authority.ts';
import { silentLogger } from '../../platform/log.ts';
import {
  CONNACK_ACCEPTED,
  CONNACK_NOT_AUTHORIZED,
  connackCode as connackCodeOf,
  eventually,
  mqttJsClient,
  registerDevice,
  sdkConnection,
  startFleet,
  subscribeReturnCodes,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

/** aws-crt's MQTT 3.1.1 client reports every refused CONNACK as this; the return code itself is read with mqtt.js. */
const SDK_CONNACK_REFUSED = /AWS_ERROR_MQTT_PROTOCOL_ERROR/;
/** aws-crt's report of a connection the server closed during the TLS handshake. */
const SDK_CLOSED_IN_HANDSHAKE = /AWS_IO_SOCKET_CLOSED/;

/** The SDK rejects with a string, not an Error: match its text. */
function sdkError(pattern: RegExp) {
  return (err: unknown) => {
    assert.match(String(err), pattern);
    return true;
  };
}

describe('device identity and the default device policy (real broker, mTLS, AWS SDK client)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cartA: TestDevice;
  let cartB: TestDevice;
  const open: mqtt.MqttClientConnection[] = [];
  const connectFailed: FleetEvents['broker.connectFailed'][] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path);
    cartA = await registerDevice(fleet, 'cart-a');
    cartB = await registerDevice(fleet, 'cart-b');
    fleet.bus.on('broker.connectFailed', (e) => connectFailed.push(e));
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

  const connackCode = (credentials: TestDevice, clientId: string) =>
    connackCodeOf(fleet.services.broker.tlsPort, credentials, clientId);

  /** How the TLS handshake with this certificate ends for a plain Node client: `authorized` or the error code. */
  async function handshake(certificatePem: string, privateKeyPem: string): Promise<string> {
    // TLS 1.2: the server's verdict on the client certificate is part of the handshake (in 1.3 it comes after it).
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: fleet.services.broker.tlsPort,
      servername: 'localhost',
      ca: cartA.caPem,
      cert: certificatePem,
      key: privateKeyPem,
      maxVersion: 'TLSv1.2',
    });
    try {
      return await new Promise<string>((resolve) => {
        socket.once('secureConnect', () => resolve(socket.authorized ? 'authorized' : 'unauthorized'));
        socket.once('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
      });
    } finally {
      socket.destroy();
    }
  }

  it('accepts a device connecting with its own certificate and its thing name as client id', async () => {
    const connection = connect(cartA, 'cart-a');
    await connection.connect();
    await eventually(() => fleet.services.broker.connectedClientIds().includes('cart-a'), 3000, 'cart-a connected');
  });

  it('refuses a wrong client id (CONNACK not authorized)', async () => {
    assert.equal(await connackCode(cartA, 'cart-a'), CONNACK_ACCEPTED, 'its own name is accepted');
    connectFailed.length = 0;
    await assert.rejects(connect(cartA, 'cart-a-impostor').connect(), sdkError(SDK_CONNACK_REFUSED));
    assert.equal(await connackCode(cartA, 'cart-a-impostor'), CONNACK_NOT_AUTHORIZED);
    assert.ok(!fleet.services.broker.connectedClientIds().includes('cart-a-impostor'));
    assert.deepEqual(
      connectFailed.map((e) => [e.clientId, e.certificateId]),
      [
        ['cart-a-impostor', cartA.certificateId],
        ['cart-a-impostor', cartA.certificateId],
      ],
      'refused after authentication, at iot:Connect',
    );
  });

  it("refuses a device that presents another device's certificate and claims that device's name", async () => {
    // cart-b's certificate, client id cart-a: the certificate is not attached to thing cart-a
    assert.equal(await connackCode(cartB, 'cart-b'), CONNACK_ACCEPTED, 'cart-b as itself is accepted');
    await assert.rejects(connect(cartB, 'cart-a').connect(), sdkError(SDK_CONNACK_REFUSED));
    assert.equal(await connackCode(cartB, 'cart-a'), CONNACK_NOT_AUTHORIZED);
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
      assert.equal(await handshake(cartA.certificatePem, cartA.privateKeyPem), 'authorized', 'the genuine one passes');
      assert.equal(
        await handshake(forged.certificatePem, forged.privateKeyPem),
        'ECONNRESET',
        'the server ends the handshake: no secure connection is ever established',
      );
      connectFailed.length = 0;
      await assert.rejects(connect(credentials, 'cart-a', cartA.caPem).connect(), sdkError(SDK_CLOSED_IN_HANDSHAKE));
      assert.deepEqual(connectFailed, [], 'it never got as far as an MQTT CONNECT');
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
    // The broker keeps serving others, and what cart-b sends itself on the same topic is stored: the forged
    // message would be in the same history had it got through.
    const other = await mqttJsClient(fleet.services.broker.tlsPort, cartB, 'cart-b');
    await other.publishAsync(
      'dt/cartfleet/cart-b/telemetry',
      JSON.stringify({ msgId: 'genuine-1', ts: Date.now(), metrics: { 'battery.percent': 2 } }),
      { qos: 1 },
    );
    await other.endAsync();
    fleet.services.telemetry.flush();
    assert.deepEqual(
      fleet.services.telemetry
        .history({ thingName: 'cart-b', stream: 'telemetry', from: 0, to: Date.now(), limit: 10 })
        .map((p) => p.msgId),
      ['genuine-1'],
    );
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
    await assert.rejects(connect(cartC, 'cart-c').connect(), sdkError(SDK_CONNACK_REFUSED));
    assert.equal(await connackCode(cartC, 'cart-c'), CONNACK_NOT_AUTHORIZED);
    assert.equal(fleet.services.registry.certificatesOf('cart-c')[0]?.status, 'REVOKED');
  });

  it('applies policy changes to live connections', async () => {
    const cartE = await registerDevice(fleet, 'cart-e');
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartE, 'cart-e');
    const events: string[] = [];
    client.on('message', (topic) => events.push(topic));
    const delta = '$aws/things/cart-e/shadow/update/delta';
    const documents = '$aws/things/cart-e/shadow/update/documents';
    assert.deepEqual(await subscribeReturnCodes(client, [delta, documents]), [0, 0]);
    // Positive control: before the Deny, an update reaches the device as a delta, then its documents.
    await fleet.services.shadows.update('cart-e', undefined, { state: { desired: { brightness: 20 } } });
    await eventually(() => events.length === 2, 3000, 'delta and documents');
    assert.deepEqual(events.splice(0), [delta, documents]);
    // A second policy that denies receiving deltas: the existing subscription stops delivering at once.
    fleet.services.registry.putPolicy('NoDeltas', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: 'iot:Receive', Resource: 'arn:aws:iot:*:*:topic/$aws/things/*/shadow/update/delta' },
      ],
    });
    fleet.services.registry.attachPolicy('NoDeltas', cartE.certificateId);
    await fleet.services.shadows.update('cart-e', undefined, { state: { desired: { brightness: 10 } } });
    // The shadow publishes delta before documents, in order, on the same connection: once documents arrived, a
    // delta that got through would have arrived before it.
    await eventually(() => events.includes(documents), 3000, 'the documents of the second update');
    assert.deepEqual(events, [documents], 'the Deny applies to a subscription made before it');
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
          fleet.services.telemetry
            .history({ thingName: 'cart-b', from: 0, to: Date.now(), limit: 10 })
            .some((p) => p.msgId === 'ok-1'),
        3000,
        'its own data stored',
      );
    } finally {
      await client.endAsync();
    }
  });
});
