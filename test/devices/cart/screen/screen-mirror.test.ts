import assert from 'node:assert/strict';
import { mqtt } from 'aws-iot-device-sdk-v2';
import { ScreenMirror, type ScreenMirrorTransport } from '../../../../devices/cart/screen/screen-mirror.ts';
import type { CartScreenState } from '../../../../protocol/commerce/cart-screen.ts';
import { MAX_SCREEN_REPORT_BYTES, type ScreenReport } from '../../../../protocol/commerce/screen-mirror.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { FakeCartScreenModel } from '../../../mocks/fake-cart-screen-model.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { captureLogs, WARN } from '../../../mocks/log-capture.ts';

class FakeTransport implements ScreenMirrorTransport {
  online = true;
  readonly sent: { topic: string; report: ScreenReport; qos: mqtt.QoS }[] = [];
  async publish(topic: string, payload: string, qos: mqtt.QoS): Promise<void> {
    this.sent.push({ topic, report: JSON.parse(payload) as ScreenReport, qos });
  }
}

describe('ScreenMirror (cart screen to the console)', () => {
  let clock: FakeClock;
  let transport: FakeTransport;
  let model: FakeCartScreenModel;
  let mirror: ScreenMirror;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(() => {
    clock = new FakeClock();
    transport = new FakeTransport();
    model = new FakeCartScreenModel();
    logs = captureLogs();
    mirror = new ScreenMirror('cart-xuhui-001', transport, clock, logs.log);
    mirror.setModel(model);
  });
  afterEach(() => mirror.stop());

  const notice = (n: number): Partial<CartScreenState> => ({ notice: { code: 'N', message: `change ${n}`, at: n } });

  it('publishes nothing before it is started, then the current state at once, QoS 0 on the screen topic', () => {
    model.patch(notice(1));
    clock.advance(1000);
    assert.equal(transport.sent.length, 0);
    assert.equal(model.listenerCount, 0, 'not listening to the model while not mirroring');

    const answer = mirror.start(30);
    assert.deepEqual(answer, { seconds: 30, until: clock.now() + 30_000 });
    assert.equal(transport.sent.length, 1);
    const [first] = transport.sent;
    assert.equal(first?.topic, 'cx/cartfleet/cart-xuhui-001/screen');
    assert.equal(first?.qos, mqtt.QoS.AtMostOnce);
    assert.equal(first?.report.at, clock.now());
    assert.equal(first?.report.state.notice?.message, 'change 1');
  });

  it('throttles to one state per 250 ms, the latest winning', () => {
    mirror.start(60);
    assert.equal(transport.sent.length, 1);
    // Ten changes within 100 ms: none goes out before the interval, then exactly one with the last state.
    for (let i = 1; i <= 10; i++) {
      clock.advance(10);
      model.patch(notice(i));
    }
    assert.equal(transport.sent.length, 1);
    clock.advance(149);
    assert.equal(transport.sent.length, 1, 'still inside the 250 ms interval');
    clock.advance(1);
    assert.equal(transport.sent.length, 2);
    assert.equal(transport.sent[1]?.report.state.notice?.message, 'change 10');
    // A change long after the last publish goes out at once.
    clock.advance(1000);
    model.patch(notice(11));
    assert.equal(transport.sent.length, 3);
    // Over 2 s of a change every 20 ms: no more than 4 a second.
    const before = transport.sent.length;
    for (let i = 0; i < 100; i++) {
      clock.advance(20);
      model.patch(notice(100 + i));
    }
    assert.ok(transport.sent.length - before <= 8, `${transport.sent.length - before} states in 2 s`);
    assert.ok(transport.sent.length - before >= 7, 'and it keeps up');
  });

  it('stops after N seconds (and a second command extends the time)', () => {
    mirror.start(10);
    clock.advanceSeconds(9);
    model.patch(notice(1));
    assert.equal(transport.sent.length, 2, 'positive control: a change within the time is published');
    mirror.start(10);
    assert.equal(transport.sent.length, 3);
    clock.advanceSeconds(9);
    model.patch(notice(2));
    assert.equal(transport.sent.length, 4, 'still mirroring: the second command set a new end');
    clock.advanceSeconds(1);
    assert.equal(mirror.active, false);
    model.patch(notice(3));
    clock.advanceSeconds(5);
    assert.equal(transport.sent.length, 4, 'nothing after the time is up');
    assert.equal(model.listenerCount, 0, 'stopped listening to the model');
  });

  it('drops what changes while offline, and publishes again once online', () => {
    mirror.start(60);
    transport.online = false;
    clock.advanceSeconds(1);
    model.patch(notice(1));
    clock.advanceSeconds(1);
    assert.equal(transport.sent.length, 1, 'nothing published (or queued) while offline');
    transport.online = true;
    model.patch(notice(2));
    assert.equal(transport.sent.length, 2, 'positive control: the same change online is published');
    assert.equal(transport.sent[1]?.report.state.notice?.message, 'change 2');
  });

  it('refuses to start without a screen model (CART_SCREEN_UNAVAILABLE)', () => {
    mirror.setModel(undefined);
    assert.throws(
      () => mirror.start(10),
      (err: unknown) => isFleetError(err) && err.code === 'CART_SCREEN_UNAVAILABLE',
    );
    assert.equal(transport.sent.length, 0);
  });

  it('does not publish a state larger than the relay takes, and logs why', () => {
    mirror.start(60);
    model.patch({ storeName: 'x'.repeat(MAX_SCREEN_REPORT_BYTES) });
    clock.advanceSeconds(1);
    assert.equal(transport.sent.length, 1, 'only the first, small state');
    assert.ok(logs.records.some((r) => r.level === WARN && r.code === 'PAYLOAD_TOO_LARGE'));
  });
});
