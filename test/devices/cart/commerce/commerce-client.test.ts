import assert from 'node:assert/strict';
import { CommerceClient, type CommerceReplyMessage } from '../../../../devices/cart/commerce/commerce-client.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { FakeCommandTransport } from '../../../mocks/fake-command-transport.ts';

describe('CommerceClient (cart side of cx/cartfleet/{thing}/...)', () => {
  let clock: FakeClock;
  let transport: FakeCommandTransport;
  let queued: { topic: string; payload: string }[];
  let client: CommerceClient;

  beforeEach(() => {
    clock = new FakeClock();
    transport = new FakeCommandTransport();
    queued = [];
    client = new CommerceClient(
      'cart-1',
      transport,
      { enqueue: (topic, payload) => queued.push({ topic, payload }) },
      silentLogger(),
      clock,
    );
    client.start();
    transport.goOnline(false);
  });
  afterEach(() => client.stop());

  const lastToken = () =>
    (JSON.parse(transport.published.at(-1)?.payload ?? '{}') as { clientToken: string }).clientToken;

  it('subscribes to its replies and notifications', () => {
    assert.deepEqual(transport.subscriptions, [
      'cx/cartfleet/cart-1/+/accepted',
      'cx/cartfleet/cart-1/+/rejected',
      'cx/cartfleet/cart-1/notify/+',
    ]);
  });

  it('a request resolves with the accepted body matched by its clientToken', async () => {
    const answer = client.request('member-login', { code: 'CFM1.123456.000000' });
    assert.equal(transport.published[0]?.topic, 'cx/cartfleet/cart-1/member-login');
    transport.deliver('cx/cartfleet/cart-1/member-login/accepted', { clientToken: lastToken(), memberId: 'm-1' });
    assert.equal((await answer).memberId, 'm-1');
  });

  it('a rejection becomes the FleetError with the fleet’s code', async () => {
    const answer = client.request('member-login', { code: 'x' });
    transport.deliver('cx/cartfleet/cart-1/member-login/rejected', {
      clientToken: lastToken(),
      code: 'MEMBER_CODE_INVALID',
      message: 'expired code',
    });
    await assert.rejects(answer, (err) => isFleetError(err, 'MEMBER_CODE_INVALID'));
  });

  it('an answer that arrives before the publish resolves still reaches the caller (no unhandled rejection)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const publish = transport.publish.bind(transport);
    // The in-process broker can deliver the fleet's answer while the publish is still being acknowledged.
    transport.publish = async (topic, payload) => {
      const { clientToken } = JSON.parse(payload) as { clientToken: string };
      transport.deliver('cx/cartfleet/cart-1/member-login/rejected', {
        clientToken,
        code: 'PAYLOAD_SCHEMA',
        message: 'x',
      });
      await new Promise((resolve) => setImmediate(resolve));
      return publish(topic, payload);
    };
    try {
      await assert.rejects(client.request('member-login', { code: 'x' }), (err) => isFleetError(err, 'PAYLOAD_SCHEMA'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('no answer in time, or no network, is DEVICE_OFFLINE', async () => {
    const answer = client.request('member-login', { code: 'x' }, 3000);
    clock.advance(3000);
    await assert.rejects(answer, (err) => isFleetError(err, 'DEVICE_OFFLINE'));
    transport.goOffline();
    await assert.rejects(client.request('member-login', { code: 'x' }), (err) => isFleetError(err, 'DEVICE_OFFLINE'));
  });

  it('send() goes through the durable queue; its reply comes later as an event', () => {
    const replies: CommerceReplyMessage[] = [];
    client.on('reply', (r) => replies.push(r));
    client.send('order-submit', { idempotencyKey: 'k-1' }, 'tok-1');
    assert.equal(transport.published.length, 0, 'not published directly');
    assert.deepEqual(queued, [
      {
        topic: 'cx/cartfleet/cart-1/order-submit',
        payload: JSON.stringify({ idempotencyKey: 'k-1', clientToken: 'tok-1' }),
      },
    ]);
    transport.deliver('cx/cartfleet/cart-1/order-submit/accepted', { clientToken: 'tok-1', orderId: 'o-1' });
    assert.deepEqual(replies, [
      {
        operation: 'order-submit',
        clientToken: 'tok-1',
        accepted: true,
        body: { clientToken: 'tok-1', orderId: 'o-1' },
      },
    ]);
  });

  it('notifications become events; an unreadable message is dropped (and a readable one is not)', () => {
    const seen: string[] = [];
    client.on('notify', (n) => seen.push(`${n.event}:${String(n.body.state)}`));
    transport.deliver('cx/cartfleet/cart-1/notify/order-status', '{not json');
    transport.deliver('cx/cartfleet/cart-1/notify/order-status', '[1,2]');
    transport.deliver('cx/cartfleet/cart-1/notify/unknown-event', { state: 'x' });
    transport.deliver('cx/cartfleet/cart-1/notify/order-status', { state: 'paid' });
    assert.deepEqual(seen, ['order-status:paid']);
  });
});
