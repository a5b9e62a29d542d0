import assert from 'node:assert/strict';
import { AlertEngine } from '../../../fleet/alerts/alert-engine.ts';
import { type Alert, AlertRepository } from '../../../fleet/alerts/alert-repository.ts';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import type { PresenceRecord } from '../../../fleet/presence/presence-repository.ts';
import type { DeviceKind } from '../../../fleet/registry/registry-types.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { type AlertRuleInput, DEFAULT_ALERT_RULES } from '../../../protocol/api/alert-rules.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const admin = { userId: 'u-1', username: 'alice' };

describe('AlertEngine (fake clock, SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let clock: FakeClock;
  let bus: EventBus<FleetEvents>;
  let engine: AlertEngine;
  let things: Map<string, { kind: DeviceKind; storeId: string | null }>;
  let presence: PresenceRecord[];
  let changes: Alert[];
  let seq: number;

  function newEngine(): AlertEngine {
    return new AlertEngine(
      new AlertRepository(db),
      { getThing: (name) => things.get(name) },
      { list: () => presence },
      bus,
      silentLogger(),
      clock,
    );
  }

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger());
    clock = new FakeClock();
    bus = new EventBus<FleetEvents>(silentLogger());
    things = new Map([
      ['cart-1', { kind: 'cart', storeId: 's1' }],
      ['cart-2', { kind: 'cart', storeId: 's2' }],
      ['cart-3', { kind: 'cart', storeId: 's2' }],
      ['spk-1', { kind: 'speaker', storeId: 's2' }],
    ]);
    presence = [];
    changes = [];
    seq = 0;
    bus.on('alert.changed', (e) => changes.push(e.alert));
    engine = newEngine();
    engine.start();
  });

  afterEach(() => {
    engine.stop();
    db.close();
    dir.cleanup();
  });

  function telemetry(thingName: string, metrics: FleetEvents['telemetry.received']['metrics'], stream = 'telemetry') {
    bus.emit('telemetry.received', {
      thingName,
      stream: stream as FleetEvents['telemetry.received']['stream'],
      msgId: `m-${seq++}`,
      ts: clock.now(),
      observedAt: clock.now(),
      metrics,
    });
  }
  const battery = (thingName: string, percent: number, charging?: boolean) =>
    telemetry(
      thingName,
      charging === undefined
        ? { 'battery.percent': percent }
        : { 'battery.percent': percent, 'battery.charging': charging },
    );
  const presenceChanged = (clientId: string, state: 'online' | 'offline') =>
    bus.emit('presence.changed', {
      clientId,
      state,
      at: clock.now(),
      reason: state === 'offline' ? 'CONNECTION_LOST' : null,
    });
  const active = (thingName?: string) =>
    engine.list({ state: 'active', storeIds: null, thingName, limit: 100, offset: 0 });
  const all = () => engine.list({ storeIds: null, limit: 100, offset: 0 });

  function assertCode(fn: () => unknown, code: Parameters<typeof isFleetError>[1]) {
    assert.throws(fn, (err) => isFleetError(err, code), `expected ${code}`);
  }

  it('seeds the default rules once; an emptied rule set stays empty across a restart', () => {
    assert.deepEqual(engine.rules(), DEFAULT_ALERT_RULES);
    engine.replaceRules([]);
    engine.stop();
    engine = newEngine();
    engine.start();
    assert.deepEqual(engine.rules(), []);
  });

  it('opens only after the minimum duration; a shorter dip opens nothing', () => {
    battery('cart-2', 15);
    clock.advanceSeconds(30);
    battery('cart-2', 22);
    clock.advanceSeconds(120);
    assert.equal(all().total, 0, 'a 30 s dip under a 60 s rule');

    battery('cart-2', 15);
    clock.advanceSeconds(59);
    assert.equal(all().total, 0);
    clock.advanceSeconds(1);
    const { items } = active('cart-2');
    assert.equal(items.length, 1);
    const alert = items[0] as Alert;
    assert.equal(alert.cause, 'battery-low');
    assert.equal(alert.severity, 'warning');
    assert.equal(alert.state, 'open');
    assert.equal(alert.value, 15);
    assert.equal(alert.storeId, 's2');
    assert.equal(alert.deviceKind, 'cart');
    assert.equal(alert.resolvedBy, null);
    assert.match(alert.message, /15 %/);
    assert.deepEqual(
      changes.map((a) => [a.id, a.state]),
      [[alert.id, 'open']],
    );
  });

  it('hysteresis: values wandering between threshold and clearThreshold neither resolve nor reopen', () => {
    battery('cart-2', 15);
    clock.advanceSeconds(60);
    const opened = active('cart-2').items[0] as Alert;
    for (let i = 0; i < 30; i++) {
      battery('cart-2', i % 2 ? 24 : 19);
      clock.advanceSeconds(40);
    }
    assert.equal(all().total, 1, 'one alert, never resolved');
    assert.equal(active('cart-2').items[0]?.id, opened.id);

    battery('cart-2', 26);
    clock.advanceSeconds(59);
    assert.equal(active('cart-2').total, 1, 'clearing waits for the minimum duration');
    clock.advanceSeconds(1);
    assert.equal(active('cart-2').total, 0);
    const resolved = engine.get(opened.id);
    assert.equal(resolved.state, 'resolved');
    assert.equal(resolved.resolvedBy, null, 'resolved automatically');

    for (let i = 0; i < 30; i++) {
      battery('cart-2', i % 2 ? 21 : 24);
      clock.advanceSeconds(40);
    }
    assert.equal(all().total, 1, 'no new alert above the threshold');
  });

  it('a clear interrupted before its minimum duration keeps the alert open', () => {
    battery('cart-2', 15);
    clock.advanceSeconds(60);
    battery('cart-2', 30);
    clock.advanceSeconds(50);
    battery('cart-2', 18);
    clock.advanceSeconds(50);
    battery('cart-2', 30);
    clock.advanceSeconds(50);
    assert.equal(active('cart-2').total, 1);
    clock.advanceSeconds(10);
    assert.equal(active('cart-2').total, 0);
  });

  it('keeps one alert per cause and device, updating its value; faults get one per code', () => {
    battery('cart-2', 15);
    clock.advanceSeconds(60);
    battery('cart-2', 14);
    clock.advanceSeconds(120);
    battery('cart-2', 13);
    clock.advanceSeconds(120);
    const { items } = active('cart-2');
    assert.equal(items.length, 1);
    assert.equal(items[0]?.value, 13);

    telemetry('cart-2', { event: 'fault', code: 'SCANNER_JAMMED' }, 'events');
    telemetry('cart-2', { event: 'fault', code: 'SCANNER_JAMMED' }, 'events');
    telemetry('cart-2', { event: 'fault', code: 'WHEEL_LOCKED' }, 'events');
    assert.equal(active('cart-2').total, 3);
    assert.deepEqual(
      active('cart-2')
        .items.filter((a) => a.cause === 'fault')
        .map((a) => a.value)
        .sort(),
      ['SCANNER_JAMMED', 'WHEEL_LOCKED'],
    );
  });

  it('the database refuses a second non-resolved alert for the same cause key', () => {
    const repo = new AlertRepository(db);
    const alert = {
      thingName: 'cart-9',
      storeId: null,
      deviceKind: 'cart' as const,
      cause: 'battery-low' as const,
      causeKey: 'battery-low',
      severity: 'warning' as const,
      message: 'm',
      value: 10,
      openedAt: 1,
    };
    const first = repo.insert(alert);
    assert.throws(() => repo.insert(alert), { code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'one open alert per cause');
    repo.resolve(first.id, null, null, 2);
    assert.notEqual(repo.insert(alert).id, first.id);
  });

  it('escalation: the critical rule raises the severity of the same alert, and lowers it back', () => {
    battery('cart-2', 15);
    clock.advanceSeconds(60);
    const opened = active('cart-2').items[0] as Alert;
    assert.equal(opened.severity, 'warning');

    battery('cart-2', 8);
    clock.advanceSeconds(59);
    assert.equal(engine.get(opened.id).severity, 'warning');
    clock.advanceSeconds(1);
    assert.equal(active('cart-2').total, 1);
    assert.equal(engine.get(opened.id).severity, 'critical');
    assert.match(engine.get(opened.id).message, /below 10 %/);

    battery('cart-2', 12);
    clock.advanceSeconds(120);
    assert.equal(engine.get(opened.id).severity, 'critical', 'inside the critical hysteresis band');
    battery('cart-2', 16);
    clock.advanceSeconds(60);
    assert.equal(engine.get(opened.id).severity, 'warning');
    assert.equal(engine.get(opened.id).state, 'open');
    assert.equal(all().total, 1);
    assert.deepEqual(
      changes.map((a) => a.severity),
      ['warning', 'warning', 'critical', 'critical', 'critical', 'warning'],
      'opened; value 8; escalated; value 12; value 16; lowered',
    );
  });

  it('charging clears a low battery alert after the minimum duration', () => {
    battery('cart-2', 5, false);
    clock.advanceSeconds(60);
    assert.equal(active('cart-2').items[0]?.severity, 'critical');
    battery('cart-2', 5, true);
    telemetry('cart-2', { 'battery.percent': 5 }, 'health'); // health carries no charging flag: the last one holds
    clock.advanceSeconds(60);
    assert.equal(active('cart-2').total, 0);
    battery('cart-2', 6, true);
    clock.advanceSeconds(600);
    assert.equal(all().total, 1, 'no alert while charging');
  });

  it('acknowledge and resolve by hand, with coded refusals for bad transitions', () => {
    assertCode(() => engine.get(999), 'ALERT_NOT_FOUND');
    assertCode(() => engine.acknowledge(999, admin), 'ALERT_NOT_FOUND');
    assertCode(() => engine.resolve(999, admin), 'ALERT_NOT_FOUND');
    telemetry('cart-1', { 'temperature.c': 70 }, 'health');
    clock.advanceSeconds(30);
    const opened = active('cart-1').items[0] as Alert;

    const acked = engine.acknowledge(opened.id, admin, 'on my way');
    assert.equal(acked.state, 'acknowledged');
    assert.deepEqual(acked.acknowledgedBy, admin);
    assert.equal(acked.acknowledgedAt, clock.now());
    assert.equal(acked.note, 'on my way');
    assertCode(() => engine.acknowledge(opened.id, admin), 'ALERT_STATE_INVALID');
    assert.equal(engine.list({ state: 'acknowledged', storeIds: null, limit: 10, offset: 0 }).total, 1);

    clock.advanceSeconds(5);
    const resolved = engine.resolve(opened.id, { userId: 'u-2', username: 'bob' }, 'fan replaced');
    assert.equal(resolved.state, 'resolved');
    assert.deepEqual(resolved.resolvedBy, { userId: 'u-2', username: 'bob' });
    assert.equal(resolved.resolvedAt, clock.now());
    assert.equal(resolved.note, 'fan replaced');
    assertCode(() => engine.resolve(opened.id, admin), 'ALERT_STATE_INVALID');
    assertCode(() => engine.acknowledge(opened.id, admin), 'ALERT_STATE_INVALID');
    assert.deepEqual(
      changes.map((a) => a.state),
      ['open', 'acknowledged', 'resolved'],
    );

    // the cause persists (no new reading either): a new alert after the minimum duration
    clock.advanceSeconds(29);
    assert.equal(active('cart-1').total, 0);
    clock.advanceSeconds(1);
    const reopened = active('cart-1').items[0] as Alert;
    assert.notEqual(reopened.id, opened.id);
    assert.equal(reopened.state, 'open');
  });

  it('an acknowledged alert is still resolved by the fleet when its cause clears', () => {
    telemetry('cart-1', { 'temperature.c': 65 }, 'health');
    clock.advanceSeconds(30);
    const opened = active('cart-1').items[0] as Alert;
    engine.acknowledge(opened.id, admin);
    telemetry('cart-1', { 'temperature.c': 57 }, 'health');
    clock.advanceSeconds(300);
    assert.equal(engine.get(opened.id).state, 'acknowledged', '57 °C is inside the hysteresis band');
    telemetry('cart-1', { 'temperature.c': 50 }, 'health');
    clock.advanceSeconds(30);
    const resolved = engine.get(opened.id);
    assert.equal(resolved.state, 'resolved');
    assert.equal(resolved.resolvedBy, null);
    assert.deepEqual(resolved.acknowledgedBy, admin);
  });

  it('rule specificity: store + kind over store over kind over the default', () => {
    const rule = (id: string, threshold: number, scope: Partial<AlertRuleInput>): AlertRuleInput => ({
      id,
      cause: 'battery-low',
      threshold,
      clearThreshold: threshold + 5,
      forSeconds: 0,
      ...scope,
    });
    engine.replaceRules([
      rule('any', 20, {}),
      rule('carts', 30, { deviceKind: 'cart' }),
      rule('store-s2', 40, { storeId: 's2' }),
      rule('store-s2-carts', 50, { storeId: 's2', deviceKind: 'cart' }),
      rule('store-s1-disabled', 90, { storeId: 's1', enabled: false }),
    ]);
    things.set('spk-9', { kind: 'speaker', storeId: 's9' });
    battery('cart-1', 35); // s1 cart: 'carts' (30); the disabled store rule does not count
    battery('cart-2', 45); // s2 cart: 'store-s2-carts' (50)
    telemetry('spk-1', { 'battery.percent': 45 }, 'health'); // s2 speaker: 'store-s2' (40)
    telemetry('spk-9', { 'battery.percent': 25 }, 'health'); // s9 speaker: 'any' (20)
    assert.deepEqual(
      active()
        .items.map((a) => a.thingName)
        .sort(),
      ['cart-2'],
    );
    battery('cart-1', 29);
    telemetry('spk-1', { 'battery.percent': 39 }, 'health');
    telemetry('spk-9', { 'battery.percent': 19 }, 'health');
    assert.deepEqual(
      active()
        .items.map((a) => a.thingName)
        .sort(),
      ['cart-1', 'cart-2', 'spk-1', 'spk-9'],
    );
  });

  it('refuses an invalid rule set with ALERT_RULES_INVALID and keeps the old one', () => {
    const before = engine.rules();
    for (const bad of [
      [{ id: 'b', cause: 'battery-low', threshold: 20, clearThreshold: 15 }],
      [{ id: 't', cause: 'temperature-high', threshold: 60, clearThreshold: 65 }],
      [{ id: 'o', cause: 'offline', threshold: 0 }],
      [{ id: 'f', cause: 'fault', threshold: 3 }],
      [
        { id: 'same', cause: 'fault' },
        { id: 'same', cause: 'fault', deviceKind: 'cart' },
      ],
      [
        { id: 'a', cause: 'fault', severity: 'critical' },
        { id: 'b', cause: 'fault', severity: 'critical' },
      ],
      [{ id: 'x', cause: 'fire' }],
      { id: 'not-a-list' },
    ]) {
      assertCode(() => engine.replaceRules(bad), 'ALERT_RULES_INVALID');
    }
    assert.deepEqual(engine.rules(), before);
  });

  it('new rules apply at once to what the devices last reported', () => {
    battery('cart-2', 35);
    assert.equal(active().total, 0);
    engine.replaceRules([{ id: 'b', cause: 'battery-low', threshold: 40, clearThreshold: 45, forSeconds: 10 }]);
    clock.advanceSeconds(10);
    assert.equal(active('cart-2').total, 1);
    engine.replaceRules([]);
    assert.equal(active().total, 0, 'an alert whose rules are gone is resolved');
  });

  it('offline: opens after the period, a quick return opens nothing, coming back resolves it', () => {
    presenceChanged('cart-2', 'offline');
    clock.advanceSeconds(200);
    presenceChanged('cart-2', 'online');
    clock.advanceSeconds(600);
    assert.equal(all().total, 0);

    presenceChanged('cart-2', 'offline');
    clock.advanceSeconds(299);
    assert.equal(all().total, 0);
    clock.advanceSeconds(1);
    const opened = active('cart-2').items[0] as Alert;
    assert.equal(opened.cause, 'offline');
    assert.equal(opened.value, 300);
    assert.match(opened.message, /CONNECTION_LOST/);

    presenceChanged('cart-2', 'online');
    clock.advanceSeconds(10);
    presenceChanged('cart-2', 'offline'); // back for 10 s only: the alert stays
    clock.advanceSeconds(60);
    assert.equal(engine.get(opened.id).state, 'open');
    presenceChanged('cart-2', 'online');
    clock.advanceSeconds(30);
    assert.equal(engine.get(opened.id).state, 'resolved');
    assert.equal(all().total, 1);
  });

  it('faults open at once with the device message and resolve on fault.cleared; a manual resolve stands', () => {
    telemetry('cart-2', { event: 'fault', code: 'SCANNER_JAMMED', message: 'scanner window blocked' }, 'events');
    const opened = active('cart-2').items[0] as Alert;
    assert.equal(opened.cause, 'fault');
    assert.equal(opened.value, 'SCANNER_JAMMED');
    assert.match(opened.message, /SCANNER_JAMMED: scanner window blocked/);
    telemetry('cart-2', { event: 'fault.cleared', code: 'OTHER' }, 'events');
    assert.equal(engine.get(opened.id).state, 'open');
    telemetry('cart-2', { event: 'fault.cleared', code: 'SCANNER_JAMMED' }, 'events');
    assert.equal(engine.get(opened.id).state, 'resolved');

    telemetry('cart-2', { event: 'fault', code: 'SCANNER_JAMMED' }, 'events');
    const again = active('cart-2').items[0] as Alert;
    engine.resolve(again.id, admin);
    clock.advanceSeconds(3600);
    assert.equal(active('cart-2').total, 0, 'the operator fixed it; the device has not reported it again');
    telemetry('cart-2', { event: 'fault', code: 'SCANNER_JAMMED' }, 'events');
    assert.equal(active('cart-2').total, 1);

    telemetry('cart-2', { event: 'fault' }, 'events'); // no code: ignored
    telemetry('cart-2', { event: 'fault', code: 'bad code!' }, 'events');
    assert.equal(active('cart-2').total, 1);
  });

  it('ignores unregistered devices and data older than what it already saw (outbox replays)', () => {
    battery('cart-unknown', 1);
    presenceChanged('cart-unknown', 'offline');
    clock.advanceSeconds(3600);
    assert.equal(all().total, 0);

    telemetry('cart-2', { event: 'fault', code: 'E1' }, 'events');
    bus.emit('telemetry.received', {
      thingName: 'cart-2',
      stream: 'events',
      msgId: 'old',
      ts: clock.now() - 1000,
      observedAt: clock.now() - 1000,
      metrics: { event: 'fault.cleared', code: 'E1' },
    });
    assert.equal(active('cart-2').total, 1);
  });

  it('rebuilds at start from the open alerts and from presence', () => {
    battery('cart-1', 15);
    presenceChanged('cart-2', 'offline');
    telemetry('cart-3', { event: 'fault', code: 'E7' }, 'events');
    clock.advanceSeconds(300);
    const before = active();
    assert.deepEqual(before.items.map((a) => `${a.thingName}:${a.cause}`).sort(), [
      'cart-1:battery-low',
      'cart-2:offline',
      'cart-3:fault',
    ]);
    engine.stop();
    assert.equal(clock.pending, 0, 'stop() cancels every timer');

    clock.advanceSeconds(3600);
    const now = clock.now();
    const record = (clientId: string, state: 'online' | 'offline', at: number): PresenceRecord => ({
      clientId,
      state,
      sessionId: null,
      ipAddress: null,
      connectedAt: state === 'online' ? at : null,
      disconnectedAt: state === 'offline' ? at : null,
      disconnectReason: state === 'offline' ? 'SERVER_INITIATED_DISCONNECT' : null,
      updatedAt: at,
    });
    presence = [
      record('cart-1', 'offline', now - 1000_000), // gone long before the restart: alert at once
      record('cart-2', 'online', now - 5000), // came back: its offline alert resolves
      record('cart-3', 'offline', now - 100_000), // 100 s of its 300 s period
      record('spk-1', 'offline', now), // marked offline by the restart itself
    ];
    changes = [];
    engine = newEngine();
    engine.start();

    const battery1 = active('cart-1').items.find((a) => a.cause === 'battery-low') as Alert;
    assert.equal(battery1.id, before.items.find((a) => a.thingName === 'cart-1')?.id, 'same alert, not a new one');
    assert.ok(active('cart-1').items.some((a) => a.cause === 'offline'));
    assert.equal(active('cart-3').items.find((a) => a.cause === 'fault')?.value, 'E7');

    clock.advanceSeconds(30);
    assert.equal(active('cart-2').total, 0, 'offline alert resolved after its minimum duration');
    clock.advanceSeconds(169);
    assert.ok(!active('cart-3').items.some((a) => a.cause === 'offline'));
    clock.advanceSeconds(1);
    assert.ok(active('cart-3').items.some((a) => a.cause === 'offline'));
    assert.equal(active('spk-1').total, 0);

    battery('cart-1', 12);
    clock.advanceSeconds(600);
    assert.equal(engine.get(battery1.id).severity, 'warning', 'the rebuilt alert keeps its tiers');
    battery('cart-1', 30);
    clock.advanceSeconds(60);
    assert.equal(engine.get(battery1.id).state, 'resolved');
    telemetry('cart-3', { event: 'fault.cleared', code: 'E7' }, 'events');
    assert.ok(!active('cart-3').items.some((a) => a.cause === 'fault'));
  });

  it('lists by scope and filters; counts per device and per state and severity', () => {
    engine.replaceRules([
      { id: 'f', cause: 'fault' },
      { id: 'fc', cause: 'fault', deviceKind: 'speaker', severity: 'critical' },
    ]);
    things.set('cart-0', { kind: 'cart', storeId: null });
    for (const thing of ['cart-0', 'cart-1', 'cart-2', 'spk-1']) {
      telemetry(thing, { event: 'fault', code: 'E1' }, 'events');
      clock.advanceSeconds(1);
    }
    telemetry('cart-2', { event: 'fault', code: 'E2' }, 'events');
    const e2 = active('cart-2').items.find((a) => a.value === 'E2') as Alert;
    engine.acknowledge(e2.id, admin);

    const list = (q: Partial<Parameters<AlertEngine['list']>[0]>) =>
      engine.list({ storeIds: null, limit: 100, offset: 0, ...q });
    assert.equal(list({}).total, 5);
    assert.deepEqual(
      list({ limit: 2 }).items.map((a) => a.thingName),
      ['cart-2', 'spk-1'],
      'newest first',
    );
    assert.equal(list({ limit: 2, offset: 4 }).items[0]?.thingName, 'cart-0');
    assert.equal(list({ storeIds: ['s2'] }).total, 3);
    assert.equal(list({ storeIds: [] }).total, 0);
    assert.equal(list({ storeIds: ['s1', 's2'] }).total, 4, 'a device without a store is chain-wide only');
    assert.equal(list({ storeIds: ['s1', 's2'], storeId: 's1' }).total, 1);
    assert.equal(list({ severity: 'critical' }).items[0]?.thingName, 'spk-1');
    assert.equal(list({ state: 'open' }).total, 4);
    assert.equal(list({ state: 'acknowledged' }).total, 1);
    assert.equal(list({ state: 'resolved' }).total, 0);
    assert.deepEqual(
      engine.openCountsByThing(),
      new Map([
        ['cart-0', 1],
        ['cart-1', 1],
        ['cart-2', 2],
        ['spk-1', 1],
      ]),
    );
    assert.deepEqual(engine.counts(), {
      open: { warning: 3, critical: 1 },
      acknowledged: { warning: 1, critical: 0 },
    });
  });
});
