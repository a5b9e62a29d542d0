import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import mqttJs from 'mqtt';
import type { DeviceCredentials } from '../../devices/core/device-config.ts';
import { type FleetConfig, type FleetConfigInput, FleetConfigSchema } from '../../fleet/config.ts';
import { type FleetExtensions, FleetServer } from '../../fleet/fleet-server.ts';
import type { DeviceKind } from '../../fleet/registry/registry-types.ts';
import type { Clock } from '../../platform/clock.ts';
import { type Logger, silentLogger } from '../../platform/log.ts';
import type { Role } from '../../protocol/api/roles.ts';

/** A fresh temp directory, removed by `cleanup()`. */
export function tempDir(prefix = 'cartfleet-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Config for an in-process fleet on ephemeral ports in `dataDir`. */
export function testConfig(dataDir: string, overrides: FleetConfigInput = {}): FleetConfig {
  return FleetConfigSchema.parse({
    dataDir,
    logLevel: 'silent',
    mqtt: { tlsPort: 0, host: '127.0.0.1' },
    http: { port: 0 },
    deviceHttps: { port: 0 },
    presence: { offlineGraceMs: 200 },
    telemetry: { flushIntervalMs: 20 },
    ...overrides,
  });
}

export interface FleetTestOptions {
  /** The fleet's clock (a `FakeClock` where the subject is time); the system clock when not given. */
  clock?: Clock;
  /** Silent when not given; `captureLogs()` (test/mocks/log-capture.ts) to assert what was logged. */
  log?: Logger;
  /** Parts to supply instead of the defaults (e.g. a pricing snapshot source with fixtures). */
  extensions?: FleetExtensions;
}

export async function startFleet(
  dataDir: string,
  overrides: FleetConfigInput = {},
  options: FleetTestOptions = {},
): Promise<FleetServer> {
  const fleet = new FleetServer(
    testConfig(dataDir, overrides),
    options.log ?? silentLogger(),
    options.clock,
    options.extensions,
  );
  await fleet.start();
  return fleet;
}

export interface TestDevice extends DeviceCredentials {
  thingName: string;
  certificateId: string;
}

export async function registerDevice(
  fleet: FleetServer,
  thingName: string,
  kind: DeviceKind = 'cart',
  policyName?: string,
): Promise<TestDevice> {
  const r = await fleet.services.registry.registerDevice(
    { thingName, kind, hardwareModel: kind === 'cart' ? 'SC-200' : 'BX-100' },
    policyName,
  );
  return {
    thingName,
    certificateId: r.certificate.certificateId,
    certificatePem: r.certificate.certificatePem,
    privateKeyPem: r.certificate.privateKeyPem,
    caPem: r.caPem,
  };
}

/** An AWS SDK (aws-crt) MQTT 3.1.1 connection over mTLS, as a device makes it. */
export function sdkConnection(
  port: number,
  credentials: DeviceCredentials,
  clientId: string,
  options: { caPem?: string } = {},
): mqtt.MqttClientConnection {
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(
    credentials.certificatePem,
    credentials.privateKeyPem,
  )
    .with_certificate_authority(options.caPem ?? credentials.caPem)
    .with_endpoint('localhost')
    .with_port(port)
    .with_client_id(clientId)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .with_reconnect_min_sec(1)
    .with_reconnect_max_sec(2)
    .build();
  return new mqtt.MqttClient().new_connection(config);
}

/** An mqtt.js client over mTLS, for checks the SDK hides (SUBACK return codes, raw payloads). */
export async function mqttJsClient(
  port: number,
  credentials: DeviceCredentials,
  clientId: string,
): Promise<mqttJs.MqttClient> {
  const client = mqttJs.connect(mqttJsOptions(port, credentials, clientId));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return client;
}

/** mqtt.js over mTLS as a device: MQTT 3.1.1, no reconnect (a test decides when to connect again). */
function mqttJsOptions(port: number, credentials: DeviceCredentials, clientId: string): mqttJs.IClientOptions {
  return {
    protocol: 'mqtts',
    host: 'localhost',
    port,
    clientId,
    cert: credentials.certificatePem,
    key: credentials.privateKeyPem,
    ca: credentials.caPem,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  };
}

/** [MQTT-3.2.2.3] CONNACK return codes the tests meet. */
export const CONNACK_ACCEPTED = 0;
export const CONNACK_NOT_AUTHORIZED = 5;

/** The CONNACK return code the broker answers this certificate and client id with (AWS's SDK hides it). */
export async function connackCode(port: number, credentials: DeviceCredentials, clientId: string): Promise<number> {
  const client = mqttJs.connect(mqttJsOptions(port, credentials, clientId));
  try {
    return await new Promise<number>((resolve, reject) => {
      client.once('connect', (connack) => resolve(connack.returnCode ?? CONNACK_ACCEPTED));
      client.once('error', (err) => {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') resolve(code);
        else reject(err);
      });
    });
  } finally {
    await client.endAsync(true);
  }
}

export { eventually } from '../mocks/wait-for.ts';

/** SUBACK return codes for `topics` (0-2 granted QoS, 128 refused), whether or not mqtt.js calls it an error. */
export async function subscribeReturnCodes(client: mqttJs.MqttClient, topics: string[]): Promise<number[]> {
  try {
    const granted = await client.subscribeAsync(topics);
    return granted.map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: (number | { qos: number })[] } }).packet;
    if (!packet?.granted) throw err;
    return packet.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

export interface ApiUser {
  userId: string;
  username: string;
  password: string;
  token: string;
}

/**
 * A person with a role and scope who can use the API right away: created through the access service (a known
 * password, no forced change) with an API token.
 */
export async function apiUser(
  fleet: FleetServer,
  username: string,
  role: Role,
  scope: { storeIds?: string[]; regions?: string[] } = {},
): Promise<ApiUser> {
  const { access } = fleet.services;
  const password = `pw-${username}-Correct-Horse-7`;
  const { user } = await access.createUser({ username, displayName: username, role, ...scope }, password);
  const { token } = access.createToken(user.id, 'test');
  return { userId: user.id, username, password, token };
}

type InjectMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** In-process HTTP calls as a given API token holder (Fastify inject: no sockets). */
export function apiAs(fleet: FleetServer, token: string | undefined) {
  const call = (method: InjectMethod, url: string, body?: unknown) =>
    fleet.services.http.instance!.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown = {}) => call('POST', url, body),
    patch: (url: string, body: unknown) => call('PATCH', url, body),
    put: (url: string, body: unknown) => call('PUT', url, body),
    delete: (url: string) => call('DELETE', url),
  };
}
