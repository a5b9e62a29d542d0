import assert from 'node:assert/strict';
import { join } from 'node:path';
import mqttJs from 'mqtt';
import { pino } from 'pino';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import { adcFromVolts, CART_PINS, voltageFromBatteryPercent } from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import { tmp36RawFromCelsius } from '../../devices/core/hardware/tmp36.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import { LogRing } from '../../devices/core/log-ring.ts';
import { NullSink } from '../../devices/speaker/player/sinks/audio-sink.ts';
import { SpeakerConfigSchema } from '../../devices/speaker/speaker-config.ts';
import { SPEAKER_PINS } from '../../devices/speaker/speaker-hardware.ts';
import { LOCATE_TONE_ID, SpeakerRuntime } from '../../devices/speaker/speaker-runtime.ts';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { Command } from '../../protocol/api/commands.ts';
import type { CommandRequest, DiagnosticCheck } from '../../protocol/commands.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { commandTopics } from '../../protocol/topics.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

/** Every `command.updated` the bus carried for one command, in order. */
function statusTrail(id: string, seen: FleetEvents['command.updated'][]): string[] {
  return seen.filter((e) => e.command.id === id).map((e) => e.command.status);
}

async function settled(fleet: FleetServer, id: string, what = 'the command to settle'): Promise<Command> {
  return eventually(
    () => {
      const command = fleet.services.commands.get(id);
      return command && command.status !== 'queued' && command.status !== 'sent' ? command : undefined;
    },
    10_000,
    what,
  );
}

/**
 * Sends once the device has subscribed to its commands: until then the fleet answers DEVICE_OFFLINE (any other
 * error fails the test).
 */
async function sendWhenReachable(fleet: FleetServer, thingName: string): Promise<Command> {
  return eventually(
    () =>
      fleet.services.commands.send({ thingName, name: 'diagnostics', requestedBy: 'test' }).catch((err: unknown) => {
        if (isFleetError(err, 'DEVICE_OFFLINE')) return undefined;
        throw err;
      }),
    10_000,
    `${thingName} reachable`,
  );
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isFleetError(err), `a FleetError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

interface CartOnBoard {
  runtime: CartRuntime;
  io: VirtualBoardIO;
  ring: LogRing;
}

function cartOnVirtualBoard(fleet: FleetServer, root: string, device: TestDevice): CartOnBoard {
  const io = new VirtualBoardIO();
  io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(80)));
  io.setAnalogInput(1, tmp36RawFromCelsius(24));
  io.setDigitalInput(CART_PINS.dockContact, true);
  const ring = new LogRing();
  const config = CartConfigSchema.parse({
    thingName: device.thingName,
    endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
    certDir: join(root, device.thingName),
    dataDir: join(root, device.thingName, 'data'),
    telemetryIntervalMs: 1000,
    healthIntervalMs: 1000,
    reconnect: { minSeconds: 1, maxSeconds: 2 },
    screen: { port: 0 },
  });
  // The runtime's logger writes into the ring the `logs` command reads, as devices/cart/main.ts wires it.
  const log = pino({ level: 'debug' }, ring);
  const runtime = new CartRuntime(config, device, new VirtualZoneLocator(), log, io, { logs: ring });
  return { runtime, io, ring };
}

/** Records every value written to `pin` from now on. */
function pinWrites(io: VirtualBoardIO, pin: number): number[] {
  const writes: number[] = [];
  io.on(`digital-write-${pin}`, (value: number) => writes.push(value));
  return writes;
}

describe('remote commands: fleet ↔ device runtimes over MQTT', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: CartOnBoard;
  let speaker: SpeakerRuntime;
  let speakerIo: VirtualBoardIO;
  /** A device that takes its commands but never answers on its own: mqtt.js with its own certificate. */
  let mute: mqttJs.MqttClient;
  let muteRequests: CommandRequest[];
  let forger: mqttJs.MqttClient;
  let updates: FleetEvents['command.updated'][];
  let offs: (() => void)[];
  const late: CartRuntime[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { commands: { timeoutMs: 4000 } });
    updates = [];
    offs = [fleet.bus.on('command.updated', (e) => updates.push(e))];
    cart = cartOnVirtualBoard(fleet, dir.path, await registerDevice(fleet, 'cart-cmd1', 'cart'));
    speakerIo = new VirtualBoardIO();
    speakerIo.setAnalogInput(1, tmp36RawFromCelsius(30));
    const spk = await registerDevice(fleet, 'spk-cmd1', 'speaker');
    speaker = new SpeakerRuntime(
      SpeakerConfigSchema.parse({
        thingName: 'spk-cmd1',
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(dir.path, 'spk-cmd1'),
        dataDir: join(dir.path, 'spk-cmd1', 'data'),
        telemetryIntervalMs: 1000,
        healthIntervalMs: 1000,
      }),
      spk,
      new NullSink(),
      silentLogger(),
      speakerIo,
    );
    await cart.runtime.start();
    await speaker.start();

    muteRequests = [];
    mute = await mqttJsClient(fleet.services.broker.tlsPort, await registerDevice(fleet, 'cart-mute'), 'cart-mute');
    mute.on('message', (_topic, payload) => muteRequests.push(JSON.parse(payload.toString()) as CommandRequest));
    await mute.subscribeAsync(commandTopics.deviceFilter('cart-mute'), { qos: 1 });
    forger = await mqttJsClient(
      fleet.services.broker.tlsPort,
      await registerDevice(fleet, 'cart-forger'),
      'cart-forger',
    );
    await registerDevice(fleet, 'cart-away');
    // Commands can be sent once each device has subscribed to its command topic.
    await sendWhenReachable(fleet, 'cart-cmd1');
    await sendWhenReachable(fleet, 'spk-cmd1');
  });

  after(async () => {
    for (const off of offs) off();
    mute?.end(true);
    forger?.end(true);
    for (const runtime of late) await runtime.stop();
    await cart?.runtime.stop();
    await speaker?.stop();
    await fleet?.stop();
    dir.cleanup();
  });

  it('cart locate: the buzzer (D3) and the locate LED (D13) are driven, then the answer is stored', async () => {
    const buzzer = pinWrites(cart.io, CART_PINS.buzzer);
    const led = pinWrites(cart.io, CART_PINS.locateLed);
    const sent = await fleet.services.commands.send({
      thingName: 'cart-cmd1',
      name: 'locate',
      params: { seconds: 2 },
      requestedBy: 'alice',
    });
    assert.equal(sent.status, 'sent');
    assert.equal(sent.requestedBy, 'alice');
    const done = await settled(fleet, sent.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(done.result, { seconds: 2 });
    assert.ok(done.completedAt !== null && done.sentAt !== null);
    assert.ok(buzzer.includes(1), 'the buzzer sounded');
    assert.ok(led.includes(1), 'the locate LED lit');
    await eventually(() => buzzer.at(-1) === 0 && cart.io.outputValue(CART_PINS.buzzer) === 0, 5000, 'buzzer off');
    await eventually(() => cart.io.outputValue(CART_PINS.locateLed) === 0, 5000, 'locate LED off');
    assert.deepEqual(statusTrail(sent.id, updates), ['sent', 'succeeded']);
    assert.deepEqual(
      fleet.services.commands.list('cart-cmd1', 1).map((c) => c.id),
      [sent.id],
      'listed newest first',
    );
  });

  it("cart screen-mirror: the cart publishes its shop's screen, relayed as cart.screen; a speaker has none", async () => {
    const screens: FleetEvents['cart.screen'][] = [];
    offs.push(fleet.bus.on('cart.screen', (e) => screens.push(e)));
    const sent = await fleet.services.commands.send({
      thingName: 'cart-cmd1',
      name: 'screen-mirror',
      params: { seconds: 30 },
      requestedBy: 'alice',
    });
    const done = await settled(fleet, sent.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal((done.result as { seconds: number }).seconds, 30);
    const first = await eventually(() => screens.find((e) => e.thingName === 'cart-cmd1'), 5000, 'the screen relayed');
    assert.equal(first.state.thingName, 'cart-cmd1');
    assert.equal(first.state.session.state, cart.runtime.shop.state().session.state);
    cart.runtime.screenMirror.stop();

    const speakerSent = await fleet.services.commands.send({
      thingName: 'spk-cmd1',
      name: 'screen-mirror',
      params: {},
      requestedBy: 'alice',
    });
    const refused = await settled(fleet, speakerSent.id);
    assert.equal(refused.error?.code, 'COMMAND_UNKNOWN');
  });

  it('speaker locate: plays the locate tone through its audio output and flashes its LED', async () => {
    const led = pinWrites(speakerIo, SPEAKER_PINS.statusLed);
    const sent = await fleet.services.commands.send({
      thingName: 'spk-cmd1',
      name: 'locate',
      params: { seconds: 1 },
      requestedBy: 'test',
    });
    const done = await settled(fleet, sent.id);
    assert.equal(done.status, 'succeeded');
    // Placed on the mixer's timeline 20 ms past what is already rendered: playing by the time the answer is back.
    await eventually(() => speaker.nowPlaying?.trackId === LOCATE_TONE_ID, 1000, 'the locate tone playing');
    assert.ok(led.includes(1), 'the status LED lit');
    // The tone is a beep pattern through the mixer; when it ends, the speaker (no manifest yet) is silent again.
    await eventually(() => speaker.nowPlaying === null, 5000, 'the tone ended');
  });

  it('diagnostics: real checks, and an implausible temperature fails its check', async () => {
    const first = await settled(
      fleet,
      (await fleet.services.commands.send({ thingName: 'cart-cmd1', name: 'diagnostics', requestedBy: 'test' })).id,
    );
    const checks = (first.result as { checks: DiagnosticCheck[] }).checks;
    const byName = new Map(checks.map((c) => [c.name, c]));
    for (const name of ['board', 'broker', 'outbox', 'disk', 'memory', 'battery', 'temperature'])
      assert.ok(byName.has(name), `check ${name}`);
    for (const name of ['board', 'broker', 'battery', 'temperature']) assert.equal(byName.get(name)?.ok, true, name);
    assert.match(byName.get('battery')?.detail ?? '', /V/);

    cart.io.setAnalogInput(1, tmp36RawFromCelsius(95));
    await eventually(() => cart.runtime.hardware.temperatureC() > 90, 5000, 'the sensor to read the heat');
    const hot = await settled(
      fleet,
      (await fleet.services.commands.send({ thingName: 'cart-cmd1', name: 'diagnostics', requestedBy: 'test' })).id,
    );
    const temperature = (hot.result as { checks: DiagnosticCheck[] }).checks.find((c) => c.name === 'temperature');
    assert.equal(temperature?.ok, false, JSON.stringify(temperature));
    cart.io.setAnalogInput(1, tmp36RawFromCelsius(24));
  });

  it('logs: the last lines of the runtime logger, filtered by level', async () => {
    cart.runtime.core.log.warn({ marker: 'cmd-logs-test' }, 'technician marker');
    cart.runtime.core.log.debug('a debug line');
    const done = await settled(
      fleet,
      (
        await fleet.services.commands.send({
          thingName: 'cart-cmd1',
          name: 'logs',
          params: { lines: 20, level: 'warn' },
          requestedBy: 'test',
        })
      ).id,
    );
    const result = done.result as { lines: string[]; truncated: boolean };
    assert.ok(result.lines.length >= 1 && result.lines.length <= 20);
    assert.ok(
      result.lines.some((line) => line.includes('cmd-logs-test')),
      'the marker line is there',
    );
    for (const line of result.lines) assert.ok((JSON.parse(line) as { level: number }).level >= 40, line);
    assert.ok(cart.ring.size > result.lines.length, 'lower levels were left out');
  });

  it('reboot: answers succeeded, then the device disconnects, reconnects and takes commands again', async () => {
    const sessions: string[] = [];
    const disconnects: string[] = [];
    offs.push(
      fleet.bus.on('broker.clientConnected', (e) => {
        if (e.clientId === 'cart-cmd1') sessions.push(e.sessionId);
      }),
      fleet.bus.on('broker.clientDisconnected', (e) => {
        if (e.clientId === 'cart-cmd1') disconnects.push(e.reason);
      }),
    );
    const sent = await fleet.services.commands.send({ thingName: 'cart-cmd1', name: 'reboot', requestedBy: 'test' });
    const done = await settled(fleet, sent.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.result, { rebooting: true });
    await eventually(() => disconnects.length >= 1 && sessions.length >= 1, 15_000, 'a disconnect and a reconnect');
    assert.deepEqual(disconnects, ['CLIENT_INITIATED_DISCONNECT']);
    // after the reboot the runtime subscribes again: a queued command reaches it
    const after = await fleet.services.commands.send({
      thingName: 'cart-cmd1',
      name: 'locate',
      params: { seconds: 1 },
      queueForSeconds: 30,
      requestedBy: 'test',
    });
    assert.equal((await settled(fleet, after.id)).status, 'succeeded');
  });

  it('refuses at once: offline device (DEVICE_OFFLINE), unknown command, bad params, unknown thing', async () => {
    const before = fleet.services.commands.list('cart-away', 10).length;
    await rejectsWith(
      fleet.services.commands.send({ thingName: 'cart-away', name: 'locate', requestedBy: 'test' }),
      'DEVICE_OFFLINE',
    );
    await rejectsWith(
      fleet.services.commands.send({ thingName: 'cart-cmd1', name: 'selfdestruct', requestedBy: 'test' }),
      'COMMAND_UNKNOWN',
    );
    await rejectsWith(
      fleet.services.commands.send({
        thingName: 'cart-cmd1',
        name: 'locate',
        params: { seconds: 0 },
        requestedBy: 'test',
      }),
      'COMMAND_PARAMS_INVALID',
    );
    await rejectsWith(
      fleet.services.commands.send({
        thingName: 'cart-cmd1',
        name: 'logs',
        params: { lines: 20 },
        queueForSeconds: 86_401,
        requestedBy: 'test',
      }),
      'BAD_REQUEST',
    );
    await rejectsWith(
      fleet.services.commands.send({ thingName: 'cart-nobody', name: 'locate', requestedBy: 'test' }),
      'THING_NOT_FOUND',
    );
    assert.equal(fleet.services.commands.list('cart-away', 10).length, before, 'nothing was stored');
  });

  it('queued for an offline device: delivered once it connects and subscribes', async () => {
    const device = await registerDevice(fleet, 'cart-late');
    const queued = await fleet.services.commands.send({
      thingName: 'cart-late',
      name: 'locate',
      params: { seconds: 1 },
      queueForSeconds: 60,
      requestedBy: 'test',
    });
    assert.equal(queued.status, 'queued');
    assert.equal(queued.sentAt, null);
    const lateCart = cartOnVirtualBoard(fleet, dir.path, device);
    const buzzer = pinWrites(lateCart.io, CART_PINS.buzzer);
    late.push(lateCart.runtime);
    await lateCart.runtime.start();
    const done = await settled(fleet, queued.id);
    assert.equal(done.status, 'succeeded');
    assert.ok(buzzer.includes(1), 'the late cart beeped');
    assert.deepEqual(statusTrail(queued.id, updates), ['queued', 'sent', 'succeeded']);
  });

  it('a device back with its persistent session (no new SUBSCRIBE) gets what was queued for it', async () => {
    const device = await registerDevice(fleet, 'cart-sticky');
    const connect = async () => {
      const client = mqttJs.connect({
        protocol: 'mqtts',
        host: 'localhost',
        port: fleet.services.broker.tlsPort,
        clientId: 'cart-sticky',
        clean: false,
        cert: device.certificatePem,
        key: device.privateKeyPem,
        ca: device.caPem,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      return client;
    };
    const first = await connect();
    await first.subscribeAsync(commandTopics.deviceFilter('cart-sticky'), { qos: 1 });
    await first.endAsync();
    await eventually(() => !fleet.services.broker.connectedClientIds().includes('cart-sticky'), 5000, 'gone');
    const queued = await fleet.services.commands.send({
      thingName: 'cart-sticky',
      name: 'diagnostics',
      queueForSeconds: 60,
      requestedBy: 'test',
    });
    assert.equal(queued.status, 'queued');
    const received: string[] = [];
    const second = await connect();
    second.on('message', (_topic, payload) =>
      received.push((JSON.parse(payload.toString()) as CommandRequest).commandId),
    );
    try {
      await eventually(() => received.includes(queued.id), 5000, 'the queued request on the restored session');
      assert.equal(fleet.services.commands.get(queued.id)?.status, 'sent');
    } finally {
      second.end(true);
    }
  });

  it('malformed, misrouted and forged answers change nothing; the real answer then does', async () => {
    const sent = await fleet.services.commands.send({ thingName: 'cart-mute', name: 'logs', requestedBy: 'test' });
    await eventually(() => muteRequests.some((r) => r.commandId === sent.id), 5000, 'the request');
    const dropped = () => fleet.services.commands.stats().answersDropped;
    const before = { ...dropped() };
    const count = (code: string) =>
      (dropped()[code as keyof typeof before] ?? 0) - (before[code as keyof typeof before] ?? 0);
    const res = commandTopics.response('cart-mute', 'logs');
    const good = { commandId: sent.id, status: 'succeeded', result: { lines: ['x'], truncated: false } };
    const forged = { ...good, result: { lines: ['forged'], truncated: false } };
    await mute.publishAsync(res, 'not json', { qos: 1 });
    await mute.publishAsync(res, JSON.stringify({ ...good, status: 'done' }), { qos: 1 });
    await mute.publishAsync(res, JSON.stringify({ ...good, error: { code: 'X', message: 'both' } }), { qos: 1 });
    // its own topic, but another command's name
    await mute.publishAsync(commandTopics.response('cart-mute', 'reboot'), JSON.stringify(forged), { qos: 1 });
    // another device answers cart-mute's command on its own topic
    await forger.publishAsync(commandTopics.response('cart-forger', 'logs'), JSON.stringify(forged), { qos: 1 });
    await eventually(
      () =>
        count('PAYLOAD_INVALID_JSON') === 1 && count('PAYLOAD_SCHEMA') === 2 && count('COMMAND_THING_MISMATCH') === 2,
      5000,
      'every bad answer to arrive and be dropped',
    );
    // ... or on cart-mute's topic: the policy refuses it and closes the forger's connection
    const closed = new Promise<void>((resolve) => forger.once('close', () => resolve()));
    forger.publish(res, JSON.stringify(forged), { qos: 1 });
    await closed;

    // The genuine answer settles it: had any forged one been taken, the command would hold the forged result and
    // this answer would be dropped as COMMAND_NOT_PENDING.
    await mute.publishAsync(res, JSON.stringify(good), { qos: 1 });
    const done = await settled(fleet, sent.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.result, good.result);
    assert.deepEqual(statusTrail(sent.id, updates), ['sent', 'succeeded']);
    assert.equal(count('COMMAND_NOT_PENDING'), 0);
    // a second answer to a settled command is dropped too
    await mute.publishAsync(
      res,
      JSON.stringify({ commandId: sent.id, status: 'failed', error: { code: 'LATE', message: '' } }),
      {
        qos: 1,
      },
    );
    await eventually(() => count('COMMAND_NOT_PENDING') === 1, 5000, 'the late answer dropped');
    assert.equal(fleet.services.commands.get(sent.id)?.status, 'succeeded');
  });
});

/**
 * Deadlines on the fleet's clock (a fake one): a queued command expires and a sent one times out exactly when its
 * time is up, also across a restart. The devices here are mqtt.js clients that never answer, and a cart runtime
 * that only needs commands not to be expired on its own (real) clock: the deadlines are far enough ahead.
 */
describe("remote commands: expiry and answer deadlines on the fleet's clock", function () {
  this.timeout(60_000);
  const TIMEOUT_MS = 60_000;
  let dir: ReturnType<typeof tempDir>;
  let dataDir: string;
  let clock: FakeClock;
  let fleet: FleetServer | undefined;
  let mute: mqttJs.MqttClient | undefined;
  let muteRequests: CommandRequest[];
  let runtime: CartRuntime | undefined;
  const start = () => startFleet(dataDir, { commands: { timeoutMs: TIMEOUT_MS } }, { clock });
  const status = (id: string) => fleet?.services.commands.get(id)?.status;

  beforeEach(async () => {
    dir = tempDir();
    dataDir = join(dir.path, 'fleet');
    clock = new FakeClock(Date.now());
    fleet = await start();
    const muteDevice = await registerDevice(fleet, 'cart-mute2');
    await registerDevice(fleet, 'cart-away2');
    mute = await mqttJsClient(fleet.services.broker.tlsPort, muteDevice, 'cart-mute2');
    muteRequests = [];
    mute.on('message', (_topic, payload) => muteRequests.push(JSON.parse(payload.toString()) as CommandRequest));
    await mute.subscribeAsync(commandTopics.deviceFilter('cart-mute2'), { qos: 1 });
  });

  afterEach(async () => {
    await mute?.endAsync(true);
    mute = undefined;
    await runtime?.stop();
    runtime = undefined;
    await fleet?.stop();
    fleet = undefined;
    dir.cleanup();
  });

  it('queued for a device that does not come back: expired (COMMAND_EXPIRED) when queueForSeconds are up', async () => {
    const queued = await fleet!.services.commands.send({
      thingName: 'cart-away2',
      name: 'reboot',
      queueForSeconds: 60,
      requestedBy: 'test',
    });
    assert.equal(queued.status, 'queued');
    assert.equal(queued.expiresAt, queued.requestedAt + 60_000);
    clock.advance(60_000 - 1);
    assert.equal(status(queued.id), 'queued', 'still queued a millisecond before');
    clock.advance(1);
    const done = fleet!.services.commands.get(queued.id);
    assert.equal(done?.status, 'expired');
    assert.equal(done?.error?.code, 'COMMAND_EXPIRED');
    assert.equal(done?.sentAt, null, 'never sent');
    assert.equal(done?.completedAt, queued.expiresAt);
  });

  it('a device that never answers: timed-out (COMMAND_TIMED_OUT) at the deadline its request carried', async () => {
    const sent = await sendWhenReachable(fleet!, 'cart-mute2');
    assert.equal(sent.status, 'sent');
    assert.equal(sent.expiresAt, sent.sentAt! + TIMEOUT_MS);
    const request = await eventually(() => muteRequests.find((r) => r.commandId === sent.id), 5000, 'the request');
    assert.deepEqual(request, {
      commandId: sent.id,
      name: 'diagnostics',
      params: {},
      issuedAt: sent.requestedAt,
      expiresAt: sent.expiresAt,
    });
    clock.advance(TIMEOUT_MS - 1);
    assert.equal(status(sent.id), 'sent', 'still waiting a millisecond before the deadline');
    clock.advance(1);
    const done = fleet!.services.commands.get(sent.id);
    assert.equal(done?.status, 'timed-out');
    assert.equal(done?.error?.code, 'COMMAND_TIMED_OUT');
  });

  it('across a restart, queued commands keep their expiry; sent ones past their deadline become timed-out', async () => {
    const sent = await sendWhenReachable(fleet!, 'cart-mute2');
    const lateDevice = await registerDevice(fleet!, 'cart-late2');
    const queued = await fleet!.services.commands.send({
      thingName: 'cart-late2',
      name: 'locate',
      params: { seconds: 1 },
      queueForSeconds: 600,
      requestedBy: 'test',
    });
    await mute!.endAsync(true);
    mute = undefined;
    await fleet!.stop();
    fleet = undefined;
    assert.equal(clock.pending, 0, 'a stopped fleet leaves no timer behind');
    // the answer deadline passes while the fleet is down
    clock.advance(TIMEOUT_MS);

    fleet = await start();
    const timedOut = fleet.services.commands.get(sent.id);
    assert.equal(timedOut?.status, 'timed-out', 'settled at start');
    assert.equal(timedOut?.error?.code, 'COMMAND_TIMED_OUT');
    const still = fleet.services.commands.get(queued.id);
    assert.equal(still?.status, 'queued');
    assert.equal(still?.expiresAt, queued.expiresAt);

    // and the queued one is delivered when its device turns up at the restarted fleet
    runtime = cartOnVirtualBoard(fleet, dir.path, lateDevice).runtime;
    await runtime.start();
    const done = await settled(fleet, queued.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.result, { seconds: 1 });
  });

  it('a queued command whose expiry passed while the fleet was down is expired at start', async () => {
    const queued = await fleet!.services.commands.send({
      thingName: 'cart-away2',
      name: 'reboot',
      queueForSeconds: 60,
      requestedBy: 'test',
    });
    await fleet!.stop();
    fleet = undefined;
    clock.advance(60_000);
    fleet = await start();
    assert.equal(status(queued.id), 'expired');
  });
});
