import assert from 'node:assert/strict';
import { CartSession } from '../../../../devices/cart/cart-session.ts';
import { SessionGate } from '../../../../devices/cart/ota/session-gate.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

describe('SessionGate (a cart never installs during a shopper’s session)', () => {
  let clock: FakeClock;
  let session: CartSession;
  let gate: SessionGate;
  let changes: number;

  beforeEach(() => {
    clock = new FakeClock();
    session = new CartSession();
    gate = new SessionGate(session, clock, { quietAfterMs: 30_000 });
    gate.start();
    changes = 0;
    gate.onChange(() => changes++);
  });
  afterEach(() => gate.stop());

  it('is open on an idle cart, closed through shopping and checkout with the reason “shopper session”', () => {
    assert.deepEqual(gate.isOpen(), { open: true });
    session.start();
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'shopper session' });
    assert.equal(changes, 1);
    session.checkout();
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'shopper session' });
    session.resume();
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'shopper session' });
    assert.equal(changes, 1, 'no news while it stays closed');
    clock.advance(3_600_000);
    assert.equal(gate.isOpen().open, false, 'a long trip keeps it closed');
  });

  it('opens when the session ends and the quiet time has passed, and says so once', () => {
    session.start();
    session.end();
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'shopper session just ended' });
    clock.advance(29_999);
    assert.equal(gate.isOpen().open, false);
    assert.equal(changes, 1);
    clock.advance(1);
    assert.deepEqual(gate.isOpen(), { open: true });
    assert.equal(changes, 2);
    assert.equal(clock.pending, 0, 'no timer left once open');
  });

  it('follows the session from its first listener on, as the runtime hands it to the agent without start()', () => {
    const unstarted = new SessionGate(session, clock, { quietAfterMs: 30_000 });
    let news = 0;
    const off = unstarted.onChange(() => news++);
    session.start();
    assert.equal(news, 1, 'closing is news');
    session.end();
    clock.advance(30_000);
    assert.equal(news, 2, 'the quiet time ends and the listener hears the gate open');
    off();
    assert.equal(clock.pending, 0, 'the last listener gone, nothing follows the session');
    session.start();
    assert.equal(news, 2);
    unstarted.stop();
  });

  it('stays closed when the next trip starts within the quiet time', () => {
    session.start();
    session.end();
    clock.advance(10_000);
    session.start();
    clock.advance(25_000); // past the first trip's quiet time
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'shopper session' });
    session.end();
    clock.advance(29_999);
    assert.equal(gate.isOpen().open, false);
    clock.advance(1);
    assert.equal(gate.isOpen().open, true);
  });

  it('stops following the session and its timer on stop()', () => {
    session.start();
    session.end();
    gate.stop();
    assert.equal(clock.pending, 0);
    session.start();
    assert.equal(changes, 1, 'only the change before stop()');
  });
});
