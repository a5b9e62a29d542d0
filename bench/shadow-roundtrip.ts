/**
 * Device Shadow round trip: one device on a real FleetServer, connected over mTLS with the AWS IoT Device SDK v2
 * (aws-crt MQTT 3.1.1, `iotshadow.IotShadowClient`), sends sequential `update` requests that change `desired`, and
 * times each from the publish call to the matching `update/accepted` (by clientToken).
 *
 * Baseline, measured in the same run on the same connection: an MQTT echo through the same broker. The device
 * publishes the same JSON body at QoS 1 to `cmd/cartfleet/{thing}/ping/res` (allowed by the default device policy);
 * an in-process handler registered on the fleet's broker (`broker.onMessage`, exactly how ShadowService subscribes)
 * republishes it at once with `broker.publish(..., 1)` to `cmd/cartfleet/{thing}/ping`, which the device subscribes
 * to. Both paths cross the same TLS connection, aedes, the policy hooks (iot:Publish on the request, iot:Receive on
 * the response) and the same SDK; what differs is the shadow service (topic parsing, document validation and merge,
 * SQLite read + write, three QoS 1 publishes: accepted, delta, documents). Echo and update alternate, in alternating
 * order, so both see the same conditions.
 *
 * The device waits 45 ms before each request (longer than Linux's 40 ms delayed ACK), as a device that updates now
 * and then does. Sent back to back instead, every request of either kind takes ~44 ms: aws-crt's socket keeps Nagle
 * on, so each request waits for the broker's delayed ACK of the device's previous PUBACK. That wait is in the client
 * (the broker sets TCP_NODELAY on its side) and hid the shadow service entirely (shadow ÷ echo 1.01), so that
 * scenario is no longer run. (Earlier, a scenario with the bench setting TCP_NODELAY on the broker's sockets
 * measured the same as the fleet once the broker did it itself.)
 */
import { performance } from 'node:perf_hooks';
import { iot, iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import type { FleetServer } from '../fleet/fleet-server.ts';
import { commandTopics, parseCommandTopic } from '../protocol/topics.ts';
import {
  type BenchOptions,
  fmt,
  type LatencySummary,
  markdownTable,
  runWhenMain,
  sleep,
  startBenchFleet,
  summarize,
  tempDir,
  withTimeout,
} from './lib/common.ts';

export interface ShadowParameters {
  /** Sequential updates (and as many echoes), each after `idleMs` of idle. */
  updates: number;
  idleMs: number;
  warmup: number;
  requestTimeoutMs: number;
}

export function shadowParameters(options: BenchOptions): ShadowParameters {
  return options.quick
    ? { updates: 100, idleMs: 45, warmup: 10, requestTimeoutMs: 5_000 }
    : { updates: 1000, idleMs: 45, warmup: 20, requestTimeoutMs: 5_000 };
}

export type ShadowScenario = 'idle';

export interface ScenarioResult {
  scenario: ShadowScenario;
  echo: LatencySummary;
  shadow: LatencySummary;
  /** shadow p50 / echo p50 */
  ratioP50: number;
}

export interface ShadowReport {
  parameters: ShadowParameters;
  scenarios: ScenarioResult[];
  finalVersion: number | undefined;
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[shadow] ${message}\n`);

const THING = 'bench-shadow-cart';
/** The echo baseline's command name (not a device command: only the bench's in-process handler answers it). */
const PING = 'ping';

export async function run(options: BenchOptions = { quick: false }): Promise<ShadowReport> {
  const parameters = shadowParameters(options);
  const dir = tempDir('cartfleet-bench-shadow-');
  let fleet: FleetServer | undefined;
  let device: Device | undefined;
  try {
    fleet = await startBenchFleet(dir.path);
    const broker = fleet.services.broker;
    const registration = await fleet.services.registry.registerDevice({
      thingName: THING,
      kind: 'cart',
      hardwareModel: 'SC-200',
    });
    const credentials = {
      certificatePem: registration.certificate.certificatePem,
      privateKeyPem: registration.certificate.privateKeyPem,
      caPem: registration.caPem,
    };

    // The echo service for the baseline: in-process, below the policy layer, like the shadow service.
    broker.onMessage(commandTopics.responseFilter(PING), (topic, payload) => {
      const thing = parseCommandTopic(topic)?.thingName;
      if (thing) broker.publish(commandTopics.request(thing, PING), payload, 1).catch(() => {});
    });

    const scenarios: ScenarioResult[] = [];
    device = await Device.connect(broker.tlsPort, credentials, parameters.requestTimeoutMs);
    scenarios.push(await measure(device, 'idle', parameters.updates, parameters.warmup, parameters.idleMs));

    const report: ShadowReport = {
      parameters,
      scenarios,
      finalVersion: fleet.services.shadows.find(THING)?.version,
      markdown: '',
    };
    report.markdown = renderShadow(report);
    return report;
  } finally {
    await device?.close();
    await fleet?.stop();
    dir.cleanup();
  }
}

async function measure(
  device: Device,
  scenario: ShadowScenario,
  n: number,
  warmup: number,
  idleMs: number,
): Promise<ScenarioResult> {
  const echoSamples: number[] = [];
  const shadowSamples: number[] = [];
  const total = warmup + n;
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const tag = `${scenario}-${i}`;
    const echo = async () => {
      if (idleMs > 0) await sleep(idleMs);
      return device.echo(i, `e-${tag}`);
    };
    const update = async () => {
      if (idleMs > 0) await sleep(idleMs);
      return device.update(i, `s-${tag}`);
    };
    // Alternate which goes first, so neither always follows the other.
    let e: number;
    let s: number;
    if (i % 2 === 0) {
      e = await echo();
      s = await update();
    } else {
      s = await update();
      e = await echo();
    }
    if (i >= warmup) {
      echoSamples.push(e);
      shadowSamples.push(s);
    }
  }
  const echo = summarize(echoSamples);
  const shadow = summarize(shadowSamples);
  log(
    `${scenario}: ${n} of each in ${fmt((Date.now() - started) / 1000, 1)} s; p50 echo ${fmt(echo.p50, 2)} ms, ` +
      `shadow ${fmt(shadow.p50, 2)} ms`,
  );
  return { scenario, echo, shadow, ratioP50: shadow.p50 / echo.p50 };
}

/** The device: one AWS SDK connection, subscribed to update/accepted, update/rejected and its echo topic. */
class Device {
  private readonly waiting = new Map<string, { resolve: (at: number) => void; reject: (err: Error) => void }>();
  private readonly shadow: iotshadow.IotShadowClient;

  private constructor(
    private readonly connection: mqtt.MqttClientConnection,
    private readonly timeoutMs: number,
  ) {
    this.shadow = new iotshadow.IotShadowClient(connection);
  }

  static async connect(
    port: number,
    credentials: { certificatePem: string; privateKeyPem: string; caPem: string },
    timeoutMs: number,
  ): Promise<Device> {
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(
      credentials.certificatePem,
      credentials.privateKeyPem,
    )
      .with_certificate_authority(credentials.caPem)
      .with_endpoint('localhost')
      .with_port(port)
      .with_client_id(THING)
      .with_clean_session(true)
      .with_keep_alive_seconds(30)
      .build();
    const connection = new mqtt.MqttClient().new_connection(config);
    const device = new Device(connection, timeoutMs);
    try {
      await withTimeout(connection.connect(), 15_000, 'SDK connect');
      await device.subscribe();
    } catch (err) {
      await device.close();
      throw err;
    }
    return device;
  }

  private async subscribe(): Promise<void> {
    const qos = mqtt.QoS.AtLeastOnce;
    await this.shadow.subscribeToUpdateShadowAccepted({ thingName: THING }, qos, (_err, response) => {
      this.settle(response?.clientToken, performance.now());
    });
    await this.shadow.subscribeToUpdateShadowRejected({ thingName: THING }, qos, (_err, response) => {
      this.settle(response?.clientToken, new Error(`update rejected: ${response?.code} ${response?.message}`));
    });
    const decoder = new TextDecoder();
    await this.connection.subscribe(commandTopics.request(THING, PING), qos, (_topic, payload) => {
      const at = performance.now();
      try {
        this.settle((JSON.parse(decoder.decode(payload)) as { clientToken?: string }).clientToken, at);
      } catch {
        // not one of ours
      }
    });
  }

  echo(i: number, token: string): Promise<number> {
    return this.roundTrip(token, () =>
      this.connection.publish(
        commandTopics.response(THING, PING),
        JSON.stringify(body(i, token)),
        mqtt.QoS.AtLeastOnce,
      ),
    );
  }

  update(i: number, token: string): Promise<number> {
    return this.roundTrip(token, () =>
      this.shadow.publishUpdateShadow({ thingName: THING, ...body(i, token) }, mqtt.QoS.AtLeastOnce),
    );
  }

  async close(): Promise<void> {
    await withTimeout(this.connection.disconnect(), 10_000, 'SDK disconnect').catch(() => {});
  }

  private async roundTrip(token: string, send: () => Promise<unknown>): Promise<number> {
    const answered = new Promise<number>((resolve, reject) => this.waiting.set(token, { resolve, reject }));
    const started = performance.now();
    send().catch((err: Error) => this.settle(token, err));
    try {
      return (await withTimeout(answered, this.timeoutMs, `response to ${token}`)) - started;
    } finally {
      this.waiting.delete(token);
    }
  }

  private settle(token: string | undefined, outcome: number | Error): void {
    if (token === undefined) return;
    const waiter = this.waiting.get(token);
    if (!waiter) return;
    this.waiting.delete(token);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }
}

/** The request body: a desired change every time (so every update is a new version with a delta). */
function body(i: number, token: string) {
  return { state: { desired: { volume: i % 100, playlist: `pl-${i}` } }, clientToken: token };
}

const SCENARIO_LABEL: Record<ShadowScenario, string> = {
  idle: 'idle 45 ms before each request (fleet as shipped)',
};

export function renderShadow(report: ShadowReport): string {
  const p = report.parameters;
  const rows = report.scenarios.flatMap((r) => {
    const line = (what: string, s: LatencySummary) => [
      SCENARIO_LABEL[r.scenario],
      what,
      s.n,
      fmt(s.p50, 2),
      fmt(s.p90, 2),
      fmt(s.p99, 2),
      fmt(s.max, 2),
    ];
    return [
      line('echo (baseline)', r.echo),
      line('shadow update → accepted', r.shadow),
      [SCENARIO_LABEL[r.scenario], '**p50 shadow ÷ echo**', '', `**${fmt(r.ratioP50, 2)}**`, '', '', ''],
    ];
  });
  const table = markdownTable(['scenario', 'round trip', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], rows);
  return [
    `### Shadow round trip: one device, AWS IoT Device SDK v2 over mTLS, QoS 1, sequential, ${p.idleMs} ms idle before each request (${p.updates} of each, after ${p.warmup} warm-up)`,
    '',
    table,
    '',
    `Final shadow version: ${report.finalVersion ?? 'n/a'} (every update is a desired change).`,
    '',
    'Baseline (echo): the device publishes the same JSON body to `cmd/cartfleet/{thing}/ping/res`; a handler registered ' +
      'on the fleet broker with `broker.onMessage` (as the shadow service is) republishes it at QoS 1 to ' +
      '`cmd/cartfleet/{thing}/ping`, which the device subscribes to. Same connection, broker, policy checks and client ' +
      'library, so the shadow ÷ echo difference is the shadow service: parsing and validating the request, merging the ' +
      'document, the SQLite read and write, and publishing accepted, delta and documents. Echo and update alternate.',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
