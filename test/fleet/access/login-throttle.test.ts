import assert from 'node:assert/strict';
import { LoginThrottle } from '../../../fleet/access/login-throttle.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const OPTIONS = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, windowMs: 60_000 };

describe('LoginThrottle', () => {
  let clock: FakeClock;
  let throttle: LoginThrottle;

  beforeEach(() => {
    clock = new FakeClock();
    throttle = new LoginThrottle(OPTIONS, () => clock.now());
  });

  const fail = (times: number, username = 'alice', ip = '10.0.0.1') => {
    for (let i = 0; i < times; i++) throttle.failed(username, ip);
  };

  it('lets the free attempts through without waiting', () => {
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 0);
    fail(2);
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 0);
  });

  it('makes each attempt past the free ones wait, doubling up to the cap', () => {
    fail(3);
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 1000);
    clock.advance(400);
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 600, 'the wait runs down with the clock');
    clock.advance(600);
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      fail(1);
      const wait = throttle.retryAfter('alice', '10.0.0.1');
      waits.push(wait);
      clock.advance(wait);
    }
    assert.deepEqual(waits, [2000, 4000, 8000, 8000, 8000]);
  });

  it('counts per username across addresses', () => {
    fail(1, 'alice', '10.0.0.1');
    fail(1, 'ALICE', '10.0.0.2');
    fail(1, 'alice', '10.0.0.3');
    assert.ok(throttle.retryAfter('alice', '10.0.0.99') > 0, 'a fresh address does not help');
    assert.ok(throttle.retryAfter('Alice', '10.0.0.99') > 0, 'usernames are case-insensitive');
    assert.equal(throttle.retryAfter('bob', '10.0.0.99'), 0, 'other users are unaffected');
  });

  it('counts per address across usernames', () => {
    fail(1, 'alice', '10.0.0.1');
    fail(1, 'bob', '10.0.0.1');
    fail(1, 'carol', '10.0.0.1');
    assert.ok(throttle.retryAfter('dave', '10.0.0.1') > 0, 'guessing many names from one address');
    assert.equal(throttle.retryAfter('dave', '10.0.0.2'), 0);
  });

  it("a success clears the username's count", () => {
    fail(2);
    throttle.succeeded('Alice');
    fail(1, 'alice', '10.0.0.2');
    assert.equal(throttle.retryAfter('alice', '10.0.0.2'), 0, 'the earlier failures are forgotten');
  });

  it('counts attempts under way, so concurrent guesses cannot all pass before the first fails', () => {
    const begun = Array.from({ length: 10 }, () => throttle.begin('alice', '10.0.0.1'));
    assert.deepEqual(begun, [0, 0, 0, 1000, 1000, 1000, 1000, 1000, 1000, 1000], 'only the free attempts start');
    fail(3);
    for (let i = 0; i < 3; i++) throttle.end('alice', '10.0.0.1');
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 1000);
    clock.advance(1000);
    assert.equal(throttle.begin('alice', '10.0.0.1'), 0, 'past the free attempts: one at a time');
    assert.ok(throttle.begin('alice', '10.0.0.1') > 0);
    throttle.succeeded('alice');
    throttle.end('alice', '10.0.0.1');
    assert.equal(throttle.begin('alice', '10.0.0.2'), 0, 'an ended attempt no longer counts');
  });

  it('forgets failures once the window has passed', () => {
    fail(2);
    clock.advance(OPTIONS.windowMs + 1);
    fail(1);
    assert.equal(throttle.retryAfter('alice', '10.0.0.1'), 0);
  });
});
