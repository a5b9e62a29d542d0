import assert from 'node:assert/strict';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import { pino } from 'pino';
import { deviceIdentity } from '../../devices/core/claim-provisioner.ts';
import { DeviceConfigSchema, readCredentials } from '../../devices/core/device-config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { writeClaimBundle } from '../../fleet/provisioning/claim-certificate.ts';
import { type ProvisioningErrorResponse, provisioningTopics } from '../../protocol/topics.ts';
import { eventually, mqttJsClient, startFleet, subscribeReturnCodes, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const CREATE = provisioningTopics.createKeysAndCertificate('json');
const CSR = provisioningTopics.createCertificateFromCsr('json');
const REGISTER = provisioningTopics.registerThing('cart-default', 'json');

describe('certificate requests by claim are throttled per connection and per claim certificate (real broker)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let claimDir: string;
  const clients: mqttJs.MqttClient[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), {
      seedDemoData: true,
      // No refill within the test: what is admitted is exactly the bursts.
      provisioning: {
        certificateRequests: {
          perConnection: { burst: 2, perMinute: 0.0001 },
          perClaimCertificate: { burst: 3, perMinute: 0.0001 },
        },
      },
    });
    claimDir = join(dir.path, 'claim');
    writeClaimBundle(claimDir, await fleet.services.provisioning.issueClaimCertificate('cart-default'));
  });

  after(async () => {
    for (const client of clients) await client.endAsync(true).catch(() => {});
    await fleet.stop();
    dir.cleanup();
  });

  async function claimClient(serial: string, bundle = claimDir) {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, readCredentials(bundle), `provision-${serial}`);
    clients.push(client);
    assert.deepEqual(await subscribeReturnCodes(client, [`${CREATE}/+`, `${CSR}/+`, `${REGISTER}/+`]), [0, 0, 0]);
    const inbox: { topic: string; body: Record<string, unknown> }[] = [];
    client.on('message', (topic, payload) => inbox.push({ topic, body: JSON.parse(payload.toString()) }));
    return async (topic: string, body: unknown = {}) => {
      const seen = inbox.length;
      await client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
      return eventually(() => inbox[seen], 5000, `answer to ${topic}`);
    };
  }

  const throttled = (answer: { topic: string; body: Record<string, unknown> }, topic: string, scope: string) => {
    assert.equal(answer.topic, `${topic}/rejected`);
    const body = answer.body as unknown as ProvisioningErrorResponse;
    assert.equal(body.statusCode, 429);
    assert.equal(body.errorCode, 'Throttling');
    assert.match(body.errorMessage, new RegExp(`per ${scope}$`));
  };

  it('answers Throttling (429) on /rejected past the burst, counting both certificate requests together', async () => {
    const ask = await claimClient('SN-T1');
    const first = await ask(CREATE);
    assert.equal(first.topic, `${CREATE}/accepted`);
    // A bad CSR costs the fleet a parse and a signature check: it counts too (and is answered as what it is).
    const second = await ask(CSR, { certificateSigningRequest: 'not a csr' });
    assert.equal(second.topic, `${CSR}/rejected`);
    assert.equal(second.body.errorCode, 'InvalidCertificateSigningRequest');
    const before = fleet.services.registry.listCertificates().length;
    throttled(await ask(CREATE), CREATE, 'connection');
    throttled(await ask(CSR, { certificateSigningRequest: 'x' }), CSR, 'connection');
    assert.equal(fleet.services.registry.listCertificates().length, before, 'a throttled request makes no certificate');

    // RegisterThing is not a certificate request: the token from the first answer still registers the cart.
    const registered = await ask(REGISTER, {
      certificateOwnershipToken: first.body.certificateOwnershipToken,
      parameters: { SerialNumber: 'SN-T1' },
    });
    assert.equal(registered.topic, `${REGISTER}/accepted`);
    assert.equal(registered.body.thingName, 'cart-SN-T1');
  });

  it("limits the claim certificate across its connections, and a reconnect does not refill a connection's bucket", async () => {
    // SN-T1 used two of the certificate's three.
    const ask = await claimClient('SN-T2');
    assert.equal((await ask(CREATE)).topic, `${CREATE}/accepted`);
    throttled(await ask(CREATE), CREATE, 'claim certificate');

    // A second claim certificate has a burst of its own; SN-T1's connection bucket, used up above, stays used up.
    const secondDir = join(dir.path, 'claim-2');
    writeClaimBundle(secondDir, await fleet.services.provisioning.issueClaimCertificate('cart-default'));
    throttled(await (await claimClient('SN-T1', secondDir))(CREATE), CREATE, 'connection');
    assert.equal((await (await claimClient('SN-T3', secondDir))(CREATE)).topic, `${CREATE}/accepted`);
  });
});

describe('a device throttled while it provisions itself by claim retries with its backoff (real broker)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  /** The fleet's and the device's: the bucket refills and the device's backoff runs out as the test moves it. */
  let clock: FakeClock;

  before(async () => {
    dir = tempDir();
    clock = new FakeClock(Date.now());
    // One certificate request per claim connection, and one more every second.
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true, provisioning: { certificateRequests: { perConnection: { burst: 1, perMinute: 60 } } } },
      { clock },
    );
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('is answered Throttling, waits, asks again and gets its certificate and thing', async () => {
    const claimDir = join(dir.path, 'claim');
    writeClaimBundle(claimDir, await fleet.services.provisioning.issueClaimCertificate('cart-default'));
    // An earlier attempt of the same device (same client id) used the connection's request.
    const earlier = await mqttJsClient(fleet.services.broker.tlsPort, readCredentials(claimDir), 'provision-SN-R1');
    await subscribeReturnCodes(earlier, [`${CREATE}/+`]);
    const answered = new Promise<string>((resolve) => earlier.once('message', (topic) => resolve(topic)));
    await earlier.publishAsync(CREATE, '{}', { qos: 1 });
    assert.equal(await answered, `${CREATE}/accepted`);
    await earlier.endAsync();

    const lines: { msg?: string; err?: string }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = DeviceConfigSchema.parse({
      thingName: 'cart-SN-R1',
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, 'device', 'certs'),
      dataDir: join(dir.path, 'device', 'data'),
      reconnect: { minSeconds: 1, maxSeconds: 1 },
      claim: { certDir: claimDir, templateName: 'cart-default', serialNumber: 'SN-R1', timeoutMs: 5000 },
    });
    // Once the refusal is logged, a second on the shared clock (the device's reconnect.minSeconds, and the one request
    // per second the bucket refills) sends the device asking again, and it gets through.
    const retries = () => lines.filter((l) => l.msg === 'provisioning by claim failed; retrying');
    const provisioned = deviceIdentity(config, log, clock);
    await eventually(() => retries().length === 1, 10_000, 'the throttled attempt');
    assert.match(retries()[0]?.err ?? '', /Throttling/);
    clock.advance(1000);
    const identity = await provisioned;
    assert.equal(identity.thingName, 'cart-SN-R1');
    assert.ok(fleet.services.registry.getThing('cart-SN-R1'));
    assert.equal(retries().length, 1, JSON.stringify(lines));
  });
});
