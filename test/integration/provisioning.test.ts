import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import { pino } from 'pino';
import { ClaimProvisioner, deviceIdentity } from '../../devices/core/claim-provisioner.ts';
import { type ClaimConfig, DeviceConfigSchema, readCredentials } from '../../devices/core/device-config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { certificateIdOf } from '../../fleet/pki/certificate-authority.ts';
import { writeClaimBundle } from '../../fleet/provisioning/claim-certificate.ts';
import { OwnershipTokens } from '../../fleet/provisioning/ownership-token.ts';
import { systemClock } from '../../platform/clock.ts';
import { silentLogger } from '../../platform/log.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { type ProvisioningErrorResponse, provisioningTopics } from '../../protocol/topics.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { SimulatedSpeaker } from '../../sim/simulated-speaker.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import {
  CONNACK_NOT_AUTHORIZED,
  connackCode,
  eventually,
  mqttJsClient,
  startFleet,
  subscribeReturnCodes,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const STORE = 'hf-shanghai-xuhui';

describe('provisioning by claim (AWS IoT fleet provisioning MQTT API)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let port: number;
  let cartClaimDir: string;
  let speakerClaimDir: string;
  const events: { name: string; payload: unknown }[] = [];
  const clients: mqttJs.MqttClient[] = [];

  async function claimBundle(templateName: string, name = templateName): Promise<string> {
    const claim = await fleet.services.provisioning.issueClaimCertificate(templateName);
    const out = join(dir.path, 'claims', name);
    writeClaimBundle(out, claim);
    return out;
  }

  function deviceConfig(thingName: string, claim: Partial<ClaimConfig> & { certDir: string; serialNumber: string }) {
    return DeviceConfigSchema.parse({
      thingName,
      endpoint: { host: 'localhost', port },
      certDir: join(dir.path, 'devices', thingName, 'certs'),
      dataDir: join(dir.path, 'devices', thingName, 'data'),
      telemetryIntervalMs: 200,
      healthIntervalMs: 300,
      reconnect: { minSeconds: 1, maxSeconds: 1 },
      claim: { templateName: 'cart-default', storeId: STORE, timeoutMs: 5000, ...claim },
    });
  }

  /** A raw client on a claim certificate, subscribed to every answer of the template's provisioning API. */
  async function claimClient(claimDir: string, serial: string, template = 'cart-default') {
    const client = await mqttJsClient(port, readCredentials(claimDir), `provision-${serial}`);
    clients.push(client);
    const codes = await subscribeReturnCodes(client, [
      `${provisioningTopics.createKeysAndCertificate('json')}/+`,
      `${provisioningTopics.createCertificateFromCsr('json')}/+`,
      `${provisioningTopics.registerThing(template, 'json')}/+`,
    ]);
    assert.deepEqual(codes, [0, 0, 0]);
    const inbox: { topic: string; body: Record<string, unknown> }[] = [];
    client.on('message', (topic, payload) => inbox.push({ topic, body: JSON.parse(payload.toString()) }));
    return {
      client,
      inbox,
      async ask(topic: string, body: unknown) {
        const seen = inbox.length;
        await client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
        return eventually(() => inbox[seen], 5000, `answer to ${topic}`);
      },
    };
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), {
      seedDemoData: true,
      // The rejection cases ask for many certificates on one claim connection; throttling has its own test.
      provisioning: { certificateRequests: { perConnection: { burst: 1000 } } },
    });
    port = fleet.services.broker.tlsPort;
    for (const name of [
      'thing.provisioned',
      'thing.approved',
      'broker.clientConnected',
      'broker.clientDisconnected',
    ] as const) {
      fleet.bus.on(name, (payload) => events.push({ name, payload }));
    }
    cartClaimDir = await claimBundle('cart-default');
    speakerClaimDir = await claimBundle('speaker-default');
  });

  after(async () => {
    for (const client of clients) await client.endAsync(true).catch(() => {});
    await fleet.stop();
    dir.cleanup();
  });

  it('seeds the default templates, one of them requiring approval', () => {
    const templates = fleet.services.provisioning.listTemplates();
    assert.deepEqual(
      templates.map((t) => [t.name, t.requiresApproval, t.thingNamePattern]),
      [
        ['cart-default', false, 'cart-{SerialNumber}'],
        ['speaker-default', true, 'spk-{SerialNumber}'],
      ],
    );
  });

  it('a cart from a clean data dir gets its own certificate from a CSR, its thing in its store, and connects with it', async () => {
    const config = deviceConfig('cart-SN1001', { certDir: cartClaimDir, serialNumber: 'SN1001' });
    assert.equal(existsSync(config.certDir), false, 'clean device data dir');
    const identity = await deviceIdentity(config, silentLogger(), systemClock, { HardwareModel: 'SC-210' });

    assert.equal(identity.thingName, 'cart-SN1001');
    assert.equal(statSync(join(config.certDir, 'key.pem')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(config.certDir).sort(), ['ca.pem', 'cert.pem', 'key.pem', 'thing.json']);
    const thing = fleet.services.registry.getThing('cart-SN1001');
    assert.ok(thing);
    assert.equal(thing.storeId, STORE);
    assert.equal(thing.kind, 'cart');
    assert.equal(thing.hardwareModel, 'SC-210');
    assert.equal(thing.provisioning, 'active');
    assert.equal(thing.provisioningTemplate, 'cart-default');
    const certificates = fleet.services.registry.certificatesOf('cart-SN1001');
    assert.equal(certificates.length, 1);
    const own = certificates[0];
    assert.ok(own);
    assert.equal(own.status, 'ACTIVE');
    assert.equal(own.certificateId, certificateIdOf(identity.credentials.certificatePem));
    assert.notEqual(own.certificateId, certificateIdOf(readFileSync(join(cartClaimDir, 'cert.pem'), 'utf8')));
    assert.deepEqual(
      events.filter((e) => e.name === 'thing.provisioned').map((e) => e.payload),
      [{ thingName: 'cart-SN1001', templateName: 'cart-default', pendingApproval: false }],
    );

    const cart = new SimulatedCart(
      config,
      identity.credentials,
      fleet.services.stores.listZones(STORE),
      { drainPerMinute: 0.2, chargePerMinute: 0.5, timeScale: 1 },
      mulberry32(3),
      silentLogger(),
    );
    await cart.start();
    try {
      const telemetry = await eventually(
        () => fleet.services.telemetry.latestOf('cart-SN1001').telemetry,
        10_000,
        'telemetry of the provisioned cart',
      );
      assert.equal(typeof telemetry.metrics['battery.percent'], 'number');
      const connected = events.find(
        (e) => e.name === 'broker.clientConnected' && (e.payload as { clientId: string }).clientId === 'cart-SN1001',
      );
      assert.ok(connected, 'the cart connected');
      assert.equal((connected.payload as { certificateId: string }).certificateId, own.certificateId);
    } finally {
      await cart.stop();
    }
    // A second boot finds its own certificate and does not provision again.
    const again = await deviceIdentity(config, silentLogger(), systemClock);
    assert.equal(again.credentials.certificatePem, identity.credentials.certificatePem);
    assert.equal(fleet.services.registry.certificatesOf('cart-SN1001').length, 1);
  });

  it('CreateKeysAndCertificate: the fleet makes the key; the certificate works only once the thing is registered', async () => {
    const { ask } = await claimClient(cartClaimDir, 'SN2002');
    const created = await ask(provisioningTopics.createKeysAndCertificate('json'), {});
    assert.equal(created.topic, provisioningTopics.createKeysAndCertificate('json', 'accepted'));
    const body = created.body as {
      certificateId: string;
      certificatePem: string;
      privateKey: string;
      certificateOwnershipToken: string;
    };
    const credentials = { certificatePem: body.certificatePem, privateKeyPem: body.privateKey, caPem: fleet.ca.caPem };
    assert.equal(
      await connackCode(port, credentials, 'cart-SN2002'),
      CONNACK_NOT_AUTHORIZED,
      'INACTIVE before RegisterThing',
    );

    const registered = await ask(provisioningTopics.registerThing('cart-default', 'json'), {
      certificateOwnershipToken: body.certificateOwnershipToken,
      parameters: { SerialNumber: 'SN2002' },
    });
    assert.equal(registered.topic, provisioningTopics.registerThing('cart-default', 'json', 'accepted'));
    assert.deepEqual(registered.body, { thingName: 'cart-SN2002', deviceConfiguration: { provisioning: 'active' } });
    const device = await mqttJsClient(port, credentials, 'cart-SN2002');
    clients.push(device);
    assert.deepEqual(await subscribeReturnCodes(device, ['$aws/things/cart-SN2002/shadow/get/accepted']), [0]);
  });

  it('the SDK path with method "keys" provisions too', async () => {
    const certDir = join(dir.path, 'devices', 'cart-SN2003', 'certs');
    const provisioner = new ClaimProvisioner(
      {
        endpoint: { host: 'localhost', port },
        claim: {
          certDir: cartClaimDir,
          templateName: 'cart-default',
          serialNumber: 'SN2003',
          parameters: {},
          method: 'keys',
          timeoutMs: 5000,
        },
        certDir,
      },
      silentLogger(),
      systemClock,
    );
    const identity = await provisioner.provision();
    assert.equal(identity.thingName, 'cart-SN2003');
    assert.equal(fleet.services.registry.getThing('cart-SN2003')?.storeId, null);
    const device = await mqttJsClient(port, readCredentials(certDir), 'cart-SN2003');
    clients.push(device);
  });

  it('a template that requires approval: the device connects but may do nothing until approve(), then works without a restart', async () => {
    const config = {
      ...deviceConfig('spk-SN3001', {
        certDir: speakerClaimDir,
        serialNumber: 'SN3001',
        templateName: 'speaker-default',
      }),
    };
    const identity = await deviceIdentity(config, silentLogger(), systemClock);
    assert.equal(identity.thingName, 'spk-SN3001');
    assert.equal(fleet.services.registry.getThing('spk-SN3001')?.provisioning, 'pending-approval');
    assert.deepEqual(
      fleet.services.provisioning.pending().map((t) => t.thingName),
      ['spk-SN3001'],
    );

    // Connect-only: a raw client may connect, every subscription is refused.
    const raw = await mqttJsClient(port, identity.credentials, 'spk-SN3001');
    assert.deepEqual(await subscribeReturnCodes(raw, ['$aws/things/spk-SN3001/shadow/get/accepted']), [128]);
    await raw.endAsync();

    const refusedBefore = fleet.services.broker.stats().subscriptionsRefused;
    const speaker = new SimulatedSpeaker(
      { ...config, model: 'broadcast' },
      identity.credentials,
      1,
      mulberry32(4),
      silentLogger(),
    );
    await speaker.start();
    try {
      await eventually(
        () => fleet.services.broker.stats().subscriptionsRefused > refusedBefore,
        10_000,
        'the runtime was refused a subscription',
      );
      assert.equal(fleet.services.shadows.find('spk-SN3001'), undefined, 'no shadow report got through');
      assert.equal(fleet.services.telemetry.latestOf('spk-SN3001').telemetry, undefined, 'no telemetry got through');

      const approved = fleet.services.provisioning.approve('spk-SN3001', 'technician-7');
      assert.equal(approved.provisioning, 'active');
      assert.deepEqual(
        events.filter((e) => e.name === 'thing.approved').map((e) => e.payload),
        [{ thingName: 'spk-SN3001', by: 'technician-7' }],
      );
      assert.deepEqual(fleet.services.provisioning.pending(), []);
      await eventually(() => fleet.services.shadows.find('spk-SN3001')?.state.reported, 15_000, 'speaker shadow');
      await eventually(() => fleet.services.telemetry.latestOf('spk-SN3001').telemetry, 15_000, 'speaker telemetry');
    } finally {
      await speaker.stop();
    }
    assert.throws(
      () => fleet.services.provisioning.approve('spk-SN3001', 'technician-7'),
      (err) => isFleetError(err, 'PROVISIONING_NOT_PENDING'),
    );
    assert.throws(
      () => fleet.services.provisioning.approve('spk-nobody', 'technician-7'),
      (err) => isFleetError(err, 'THING_NOT_FOUND'),
    );
  });

  it('a device pending approval stays connected and quiet, its outbox held; after approve() what waited is stored, in order', async () => {
    const thingName = 'spk-SN3002';
    const config = deviceConfig(thingName, {
      certDir: speakerClaimDir,
      serialNumber: 'SN3002',
      templateName: 'speaker-default',
    });
    const identity = await deviceIdentity(config, silentLogger(), systemClock);
    assert.equal(fleet.services.registry.getThing(thingName)?.provisioning, 'pending-approval');

    const logLines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    const ofDevice = (name: string) =>
      events.filter((e) => e.name === name && (e.payload as { clientId: string }).clientId === thingName);
    const refusedBefore = fleet.services.broker.stats().subscriptionsRefused;
    const publishesRefusedBefore = fleet.services.broker.stats().publishesRefused;

    // The runtime's retries, reporting beat and outbox run on a clock this test moves. A device that published would
    // have its connection closed at once; the broker takes one client's packets in order, so once it has refused a
    // SUBSCRIBE sent after a message was queued, a PUBLISH of that message would already have been seen.
    const deviceClock = new FakeClock(Date.now());
    const refused = () => fleet.services.broker.stats().subscriptionsRefused;
    /** Moves the device's clock a second at a time while `check` does not hold yet. */
    const driving = (check: () => boolean) => () => {
      if (check()) return true;
      deviceClock.advance(1000);
      return false;
    };
    const oneMoreRefusal = async () => {
      const before = refused();
      await eventually(
        driving(() => refused() > before),
        10_000,
        'one more refused subscription',
      );
    };
    const speaker = new SimulatedSpeaker(
      { ...config, model: 'broadcast' },
      identity.credentials,
      1,
      mulberry32(5),
      log,
      { clock: deviceClock },
    );
    const core = speaker.runtime.core;
    await speaker.start();
    try {
      await eventually(() => core.connection.online, 10_000, 'the runtime online');
      await eventually(() => refused() > refusedBefore, 10_000, 'the runtime was refused a subscription');
      const waited = [core.telemetry.publish('events', { event: 'pending.1' }).msgId];
      for (let i = 0; i < 4; i++) await oneMoreRefusal();
      waited.push(core.telemetry.publish('events', { event: 'pending.2' }).msgId);
      await oneMoreRefusal();

      assert.equal(ofDevice('broker.clientConnected').length, 1, 'connected once');
      assert.deepEqual(ofDevice('broker.clientDisconnected'), [], 'no disconnect/reconnect cycles');
      assert.equal(
        fleet.services.broker.stats().publishesRefused,
        publishesRefusedBefore,
        'the device never published while pending',
      );
      assert.ok(refused() - refusedBefore >= 6, 'it kept asking for its subscriptions on the same connection');
      assert.equal(core.connection.online, true);
      assert.equal(core.outbox.holding, true, 'the outbox is held');
      assert.ok(core.outbox.size() >= 4, `status, telemetry, health and events wait on disk (${core.outbox.size()})`);
      assert.equal(fleet.services.telemetry.latestOf(thingName).telemetry, undefined, 'no telemetry got through');
      assert.equal(fleet.services.shadows.find(thingName), undefined, 'no shadow report got through');
      const waiting = logLines.filter(
        (l) => l.msg === "waiting for approval: the fleet refuses this device's subscriptions",
      );
      assert.equal(waiting.length, 1, 'the waiting state is logged once, not per retry');
      assert.equal(waiting[0]?.level, 30, 'at info');
      assert.deepEqual(
        logLines.filter((l) => l.level >= 40).map((l) => l.msg),
        [],
        'nothing at warn or above while waiting',
      );

      // A reboot in process while pending (stop, start): still quiet, nothing lost, the new outbox held too.
      const queuedBeforeReboot = core.outbox.size();
      const refusedBeforeReboot = fleet.services.broker.stats().subscriptionsRefused;
      await speaker.runtime.stop();
      await speaker.runtime.start();
      await eventually(() => core.connection.online, 10_000, 'the restarted runtime online');
      await eventually(() => refused() > refusedBeforeReboot, 10_000, 'the restarted runtime was refused');
      await oneMoreRefusal();
      assert.equal(core.outbox.holding, true);
      assert.ok(core.outbox.size() > queuedBeforeReboot, 'what was queued survived the restart, and more joined it');
      assert.equal(fleet.services.broker.stats().publishesRefused, publishesRefusedBefore);
      assert.deepEqual(
        ofDevice('broker.clientDisconnected').map((e) => (e.payload as { reason: string }).reason),
        ['CLIENT_INITIATED_DISCONNECT'],
        'only the reboot disconnected it',
      );
      assert.equal(ofDevice('broker.clientConnected').length, 2);

      fleet.services.provisioning.approve(thingName, 'technician-7');
      const stored = () =>
        fleet.services.db
          .prepare('SELECT msg_id, stream FROM telemetry WHERE thing_name = ? ORDER BY id')
          .all(thingName) as { msg_id: string; stream: string }[];
      await eventually(
        driving(() => waited.every((id) => stored().some((r) => r.msg_id === id))),
        15_000,
        'the messages queued while pending to be stored',
      );
      const rows = stored();
      assert.ok(
        rows.some((r) => r.stream === 'status'),
        "the 'online' status queued at connect is stored",
      );
      assert.ok(rows.some((r) => r.stream === 'telemetry') && rows.some((r) => r.stream === 'health'));
      // msgIds are {bootId}-{sequence} (the fleet appends `@{ts}` to a status'): stored in the order queued.
      const sequences = rows.map((r) => Number(/-(\d+)(@\d+)?$/.exec(r.msg_id)?.[1]));
      assert.deepEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
        'order kept',
      );
      assert.equal(sequences[0], 1, 'nothing lost: the first message queued is stored');
      await eventually(
        driving(() => fleet.services.shadows.find(thingName)?.state.reported !== undefined),
        15_000,
        'speaker shadow',
      );
      assert.equal(core.outbox.holding, false);
      assert.equal(ofDevice('broker.clientDisconnected').length, 1, 'approval took effect on the same connection');
      assert.equal(ofDevice('broker.clientConnected').length, 2);
      assert.equal(fleet.services.broker.stats().publishesRefused, publishesRefusedBefore);
    } finally {
      await speaker.stop();
    }
  });

  describe('rejections', () => {
    let claim: Awaited<ReturnType<typeof claimClient>>;
    const registerTopic = provisioningTopics.registerThing('cart-default', 'json');

    async function newToken(): Promise<{ certificateId: string; certificateOwnershipToken: string }> {
      const created = await claim.ask(provisioningTopics.createKeysAndCertificate('json'), {});
      return created.body as { certificateId: string; certificateOwnershipToken: string };
    }

    function rejection(answer: { topic: string; body: Record<string, unknown> }): ProvisioningErrorResponse {
      assert.ok(answer.topic.endsWith('/rejected'), `expected a rejection, got ${answer.topic}`);
      return answer.body as unknown as ProvisioningErrorResponse;
    }

    before(async () => {
      claim = await claimClient(cartClaimDir, 'SN4000');
    });

    it('unknown template: ResourceNotFound (404)', async () => {
      // The claim policy only covers its own template; another policy lets this certificate ask for any.
      const { registry } = fleet.services;
      registry.putPolicy('ClaimAnyTemplate', {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['iot:Publish', 'iot:Subscribe', 'iot:Receive'],
            Resource: [
              'arn:aws:iot:*:*:topic/$aws/provisioning-templates/*',
              'arn:aws:iot:*:*:topicfilter/$aws/provisioning-templates/*',
            ],
          },
        ],
      });
      const other = await tempClaimWithPolicy('ClaimAnyTemplate');
      const { certificateOwnershipToken } = await newToken();
      await subscribeReturnCodes(other.client, [`${provisioningTopics.registerThing('no-such', 'json')}/+`]);
      const answer = await other.ask(provisioningTopics.registerThing('no-such', 'json'), {
        certificateOwnershipToken,
        parameters: { SerialNumber: 'SN4001' },
      });
      assert.deepEqual(
        [answer.topic, rejection(answer).statusCode, rejection(answer).errorCode],
        [provisioningTopics.registerThing('no-such', 'json', 'rejected'), 404, 'ResourceNotFound'],
      );
      assert.throws(
        () => fleet.services.provisioning.registerThing('no-such', { certificateOwnershipToken }),
        (err) => isFleetError(err, 'PROVISIONING_TEMPLATE_NOT_FOUND'),
      );
    });

    it('bad parameters: InvalidParameters (400), and nothing is registered', async () => {
      const cases: Record<string, string>[] = [
        { SerialNumber: 'bad serial!' },
        { SerialNumber: 'SN4002', Color: 'red' },
        { StoreId: STORE },
        { SerialNumber: 'SN4002', StoreId: 'no-such-store' },
        { SerialNumber: 'SN4002', DeviceKind: 'speaker' },
      ];
      for (const parameters of cases) {
        const { certificateOwnershipToken } = await newToken();
        const answer = await claim.ask(registerTopic, { certificateOwnershipToken, parameters });
        const error = rejection(answer);
        assert.deepEqual([error.statusCode, error.errorCode], [400, 'InvalidParameters'], JSON.stringify(parameters));
      }
      assert.equal(fleet.services.registry.getThing('cart-SN4002'), undefined);
    });

    it('a payload that is not JSON: InvalidPayload; a CBOR request: UnsupportedFormat', async () => {
      const answer = await claim.ask(registerTopic, 'not json');
      assert.equal(rejection(answer).errorCode, 'InvalidPayload');
      await subscribeReturnCodes(claim.client, [`${provisioningTopics.createKeysAndCertificate('cbor')}/+`]);
      const cbor = await claim.ask(provisioningTopics.createKeysAndCertificate('cbor'), Buffer.from([0xa0]).toString());
      assert.equal(cbor.topic, provisioningTopics.createKeysAndCertificate('cbor', 'rejected'));
      assert.equal(rejection(cbor).errorCode, 'UnsupportedFormat');
    });

    it('an invalid CSR: InvalidCertificateSigningRequest', async () => {
      const answer = await claim.ask(provisioningTopics.createCertificateFromCsr('json'), {
        certificateSigningRequest: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----',
      });
      assert.equal(rejection(answer).errorCode, 'InvalidCertificateSigningRequest');
    });

    it('forged, expired and reused ownership tokens: InvalidCertificateOwnershipToken (400)', async () => {
      const ownership = await newToken();
      const [body, signature] = ownership.certificateOwnershipToken.split('.') as [string, string];
      const flipped = `${body}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      const forged = rejection(
        await claim.ask(registerTopic, { certificateOwnershipToken: flipped, parameters: { SerialNumber: 'SN4003' } }),
      );
      assert.deepEqual([forged.statusCode, forged.errorCode], [400, 'InvalidCertificateOwnershipToken']);

      // Signed with the fleet's own key, for the right certificate, but two hours old.
      const tokens = new OwnershipTokens(join(dir.path, 'fleet'), 3_600_000);
      tokens.start();
      const stale = tokens.issue(ownership.certificateId, Date.now() - 2 * 3_600_000).token;
      const expired = rejection(
        await claim.ask(registerTopic, { certificateOwnershipToken: stale, parameters: { SerialNumber: 'SN4003' } }),
      );
      assert.equal(expired.errorCode, 'InvalidCertificateOwnershipToken');
      assert.match(expired.errorMessage, /expired/);

      // A current token the fleet signed but never issued for this certificate.
      const unissued = tokens.issue(ownership.certificateId, Date.now()).token;
      const notIssued = rejection(
        await claim.ask(registerTopic, { certificateOwnershipToken: unissued, parameters: { SerialNumber: 'SN4003' } }),
      );
      assert.equal(notIssued.errorCode, 'InvalidCertificateOwnershipToken');

      const first = await claim.ask(registerTopic, {
        certificateOwnershipToken: ownership.certificateOwnershipToken,
        parameters: { SerialNumber: 'SN4003' },
      });
      assert.ok(first.topic.endsWith('/accepted'));
      const reused = rejection(
        await claim.ask(registerTopic, {
          certificateOwnershipToken: ownership.certificateOwnershipToken,
          parameters: { SerialNumber: 'SN4004' },
        }),
      );
      assert.equal(reused.errorCode, 'InvalidCertificateOwnershipToken');
      assert.match(reused.errorMessage, /already been used/);
      assert.equal(fleet.services.registry.getThing('cart-SN4004'), undefined);
    });

    it('a thing name that exists: ResourceConflict (409)', async () => {
      const { certificateOwnershipToken } = await newToken();
      const answer = rejection(
        await claim.ask(registerTopic, { certificateOwnershipToken, parameters: { SerialNumber: 'SN1001' } }),
      );
      assert.deepEqual([answer.statusCode, answer.errorCode], [409, 'ResourceConflict']);
    });

    it('another claim device never sees a request or an answer that is not its own', async () => {
      const eavesdropper = await claimClient(cartClaimDir, 'SN4100');
      // `create/#` matches the requests themselves too, and the claim policy allows subscribing to it.
      assert.deepEqual(await subscribeReturnCodes(eavesdropper.client, ['$aws/certificates/create/#']), [0]);
      await claim.ask(provisioningTopics.createKeysAndCertificate('json'), {});
      assert.deepEqual(eavesdropper.inbox, []);
    });

    it('the claim certificate may do nothing but provisioning', async () => {
      assert.equal(
        await connackCode(port, readCredentials(cartClaimDir), 'cart-SN1001'),
        CONNACK_NOT_AUTHORIZED,
        'not as a device',
      );
      const codes = await subscribeReturnCodes(claim.client, [
        '$aws/things/cart-SN1001/shadow/update/accepted',
        'dt/cartfleet/cart-SN1001/telemetry',
        `${provisioningTopics.registerThing('speaker-default', 'json')}/+`,
      ]);
      assert.deepEqual(codes, [128, 128, 128]);
      const closed = new Promise<void>((resolve) => claim.client.once('close', () => resolve()));
      claim.client.publish('dt/cartfleet/cart-SN1001/telemetry', '{}', { qos: 1 });
      await closed;
    });

    async function tempClaimWithPolicy(policyName: string) {
      const claimDir = await claimBundle('cart-default', 'any-template');
      const certificateId = certificateIdOf(readFileSync(join(claimDir, 'cert.pem'), 'utf8'));
      fleet.services.registry.attachPolicy(policyName, certificateId);
      return claimClient(claimDir, 'SN4999');
    }
  });
});
