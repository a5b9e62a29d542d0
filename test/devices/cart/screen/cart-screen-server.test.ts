import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { CartScreenServer } from '../../../../devices/cart/screen/cart-screen-server.ts';
import { silentLogger } from '../../../../platform/log.ts';
import {
  CART_SCREEN_EVENTS,
  type CartScreenReply,
  type CartScreenState,
} from '../../../../protocol/commerce/cart-screen.ts';
import { basketScreenState, FakeCartScreenModel } from '../../../mocks/fake-cart-screen-model.ts';
import { eventually } from '../../../mocks/wait-for.ts';

/**
 * The cart screen's server on loopback with a scripted model, driven by socket.io-client as the kiosk page is: a
 * real socket is what the server's contract is about (acknowledgements, pushes), so these open one on 127.0.0.1.
 */
describe('cart screen server', () => {
  let model: FakeCartScreenModel;
  let server: CartScreenServer;
  let webRoot: string;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'cart-screen-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'cart.html'), '<!doctype html><title>cart screen</title>');
    writeFileSync(join(webRoot, 'assets', 'cart-1.js'), 'console.log(1)');
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
    model = new FakeCartScreenModel();
    server = new CartScreenServer(model, { host: '127.0.0.1', port: 0, log: silentLogger(), webRoot });
    await server.start();
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await server.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  /** A connected screen and every state it received. */
  async function screen(): Promise<{ socket: Socket; states: CartScreenState[] }> {
    const states: CartScreenState[] = [];
    const socket = io(server.url, { path: '/socket.io', transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    socket.on(CART_SCREEN_EVENTS.state, (s: CartScreenState) => states.push(s));
    await eventually(() => states.length > 0, 5000, 'the state pushed on connect');
    return { socket, states };
  }

  const send = (socket: Socket, action: unknown): Promise<CartScreenReply> =>
    socket.timeout(5000).emitWithAck(CART_SCREEN_EVENTS.action, action);

  it('pushes the state on connect and again on every change', async () => {
    const { states } = await screen();
    assert.equal(states[0]?.session.state, 'idle');
    model.set(basketScreenState());
    await eventually(() => states.length === 2, 5000, 'the pushed change');
    assert.equal(states[1]?.session.state, 'shopping');
    assert.equal(states[1]?.lines.length, 3);
    model.patch({ online: false });
    await eventually(() => states.length === 3, 5000, 'the second change');
    assert.equal(states[2]?.online, false);
  });

  it('hands a valid action to the model and answers ok', async () => {
    const { socket } = await screen();
    assert.deepEqual(await send(socket, { type: 'answer-removal', removed: true }), { ok: true });
    assert.deepEqual(await send(socket, { type: 'redeem-points', points: 300 }), { ok: true });
    assert.deepEqual(model.actions, [
      { type: 'answer-removal', removed: true },
      { type: 'redeem-points', points: 300 },
    ]);
  });

  it('refuses a malformed action with PAYLOAD_SCHEMA and does not call the model', async () => {
    const { socket } = await screen();
    const bad: unknown[] = [
      { type: 'answer-removal' },
      { type: 'answer-removal', removed: 'yes' },
      { type: 'redeem-points', points: -5 },
      { type: 'redeem-points', points: 1.5 },
      { type: 'staff-code', code: '12a4' },
      { type: 'member-code', code: '' },
      { type: 'checkout', extra: 1 },
      { type: 'open-the-till' },
      'checkout',
      null,
    ];
    for (const action of bad) {
      const reply = await send(socket, action);
      assert.equal(reply.ok, false, JSON.stringify(action));
      assert.equal(!reply.ok && reply.code, 'PAYLOAD_SCHEMA', JSON.stringify(action));
    }
    // positive control on the same socket: a good action after them reaches the model, and is the only one that did
    assert.deepEqual(await send(socket, { type: 'checkout' }), { ok: true });
    assert.deepEqual(model.actions, [{ type: 'checkout' }]);
  });

  it("answers the model's coded refusal to the sender", async () => {
    const { socket } = await screen();
    model.failNext('COUPON_EXPIRED', 'the coupon SAVE5NOW expired');
    assert.deepEqual(await send(socket, { type: 'apply-coupon', couponId: 'SAVE5NOW' }), {
      ok: false,
      code: 'COUPON_EXPIRED',
      message: 'the coupon SAVE5NOW expired',
    });
  });

  it('runs actions one at a time in the order they arrived', async () => {
    const { socket } = await screen();
    const order: string[] = [];
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const act = model.act.bind(model);
    model.act = async (action) => {
      order.push(`start ${action.type}`);
      if (action.type === 'checkout') await gate;
      await act(action);
      order.push(`end ${action.type}`);
    };
    const first = send(socket, { type: 'checkout' });
    const second = send(socket, { type: 'help' });
    await eventually(() => order.length === 1, 5000, 'the first action started');
    release?.();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['start checkout', 'end checkout', 'start help', 'end help']);
  });

  it('serves the kiosk page and its assets, not the console', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /cart screen/);
    assert.equal((await fetch(`${server.url}/assets/cart-1.js`)).status, 200);
    assert.equal((await fetch(`${server.url}/index.html`)).status, 404);
    assert.equal((await fetch(`${server.url}/assets/../index.html`)).status, 404);
  });

  it('refuses a socket opened by a page of another origin', async () => {
    const foreign = io(server.url, {
      path: '/socket.io',
      transports: ['polling'],
      reconnection: false,
      extraHeaders: { origin: 'http://evil.example' },
    });
    sockets.push(foreign);
    const refused = new Promise<Error>((resolve) => foreign.on('connect_error', resolve));
    assert.ok(await refused);
    // the same server takes a socket from its own page (positive control)
    const { states } = await screen();
    assert.equal(states.length, 1);
  });

  it('releases the socket server and the model listener on stop', async () => {
    const { socket } = await screen();
    assert.equal(model.listenerCount, 1);
    const closed = new Promise<void>((resolve) => socket.on('disconnect', () => resolve()));
    await server.stop();
    await closed;
    assert.equal(model.listenerCount, 0);
    assert.equal(server.connections, 0);
    await server.start(); // afterEach stops it again; start after stop works like a fresh one
    await screen();
  });
});
