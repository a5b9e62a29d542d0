import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CommandChannel } from '../../../devices/core/command-channel.ts';
import { logsCommand } from '../../../devices/core/core-commands.ts';
import { LogRing } from '../../../devices/core/log-ring.ts';
import { silentLogger } from '../../../platform/log.ts';
import { MAX_COMMAND_RESPONSE_BYTES } from '../../../protocol/commands.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { commandTopics } from '../../../protocol/topics.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeCommandTransport } from '../../mocks/fake-command-transport.ts';
import { waitFor } from '../../mocks/wait-for.ts';

const THING = 'cart-unit-1';
const NOW = 1_800_000_000_000;

function request(name: string, params: object = {}, overrides: object = {}) {
  return { commandId: randomUUID(), name, params, issuedAt: NOW - 1000, expiresAt: NOW + 30_000, ...overrides };
}

function codeOf(transport: FakeCommandTransport, index: number): string | undefined {
  return (transport.answers[index]?.body.error as { code?: string } | undefined)?.code;
}

describe('CommandChannel (device side of remote commands)', () => {
  let transport: FakeCommandTransport;
  let channel: CommandChannel;
  let fallback: { topic: string; payload: string }[];
  let calls: { name: string; params: unknown }[];

  beforeEach(() => {
    transport = new FakeCommandTransport();
    fallback = [];
    calls = [];
    channel = new CommandChannel(THING, transport, silentLogger(), new FakeClock(NOW), {
      fallback: (topic, payload) => fallback.push({ topic, payload }),
    });
    channel.handle('locate', (params) => {
      calls.push({ name: 'locate', params });
      return { result: { seconds: params.seconds } };
    });
    channel.handle('logs', (params) => {
      calls.push({ name: 'logs', params });
      return { result: { lines: [], truncated: false } };
    });
    channel.start();
  });

  afterEach(() => channel.stop());

  /** Sends a request to the channel and waits until it is handled (answered or dropped). */
  async function send(name: string, body: object | string): Promise<void> {
    await channel.onRequest(
      commandTopics.request(THING, name),
      Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    );
  }

  it('subscribes to its own command filter on the first connect and whenever the session was lost', async () => {
    assert.deepEqual(transport.subscriptions, [], 'nothing before the first connect');
    transport.goOnline(false);
    assert.deepEqual(transport.subscriptions, [commandTopics.deviceFilter(THING)]);
    transport.goOffline();
    transport.goOnline(true);
    assert.equal(transport.subscriptions.length, 1, 'the broker kept the session: no new SUBSCRIBE');
    transport.goOffline();
    transport.goOnline(false);
    assert.equal(transport.subscriptions.length, 2, 'session lost: subscribed again');
    channel.stop();
    channel.start();
    assert.equal(transport.subscriptions.length, 3, 'a restart while online subscribes again');
  });

  it('routes what arrives on its subscription to the handler and answers once on the response topic', async () => {
    transport.goOnline(false);
    const req = request('locate', { seconds: 5 });
    transport.deliver(commandTopics.request(THING, 'locate'), req);
    await waitFor(() => transport.published.length === 1, 'the answer');
    assert.deepEqual(transport.answers, [
      {
        topic: commandTopics.response(THING, 'locate'),
        body: { commandId: req.commandId, status: 'succeeded', result: { seconds: 5 } },
      },
    ]);
  });

  it('fills in default params and hands them to the handler', async () => {
    const req = request('logs', {});
    await send('logs', req);
    assert.deepEqual(calls, [{ name: 'logs', params: { lines: 100 } }]);
    assert.equal(transport.answers[0]?.body.status, 'succeeded');
  });

  it('refuses bad params with COMMAND_PARAMS_INVALID and never runs the handler', async () => {
    await send('locate', request('locate', { seconds: 61 }));
    await send('locate', request('locate', { seconds: 5, volume: 3 }));
    assert.deepEqual(calls, []);
    assert.deepEqual(
      transport.answers.map((a) => [a.body.status, (a.body.error as { code: string }).code]),
      [
        ['failed', 'COMMAND_PARAMS_INVALID'],
        ['failed', 'COMMAND_PARAMS_INVALID'],
      ],
    );
  });

  it('refuses an expired request with COMMAND_EXPIRED and does not carry it out', async () => {
    const req = request('locate', { seconds: 5 }, { expiresAt: NOW - 1 });
    await send('locate', req);
    assert.deepEqual(calls, []);
    assert.equal(transport.answers[0]?.body.commandId, req.commandId);
    assert.equal(codeOf(transport, 0), 'COMMAND_EXPIRED');
  });

  it('answers COMMAND_UNKNOWN for a name it has no handler for, known to the protocol or not', async () => {
    await send('reboot', request('reboot'));
    await send('selfdestruct', request('selfdestruct'));
    assert.deepEqual(
      transport.answers.map((a) => [a.topic, (a.body.error as { code: string }).code]),
      [
        [commandTopics.response(THING, 'reboot'), 'COMMAND_UNKNOWN'],
        [commandTopics.response(THING, 'selfdestruct'), 'COMMAND_UNKNOWN'],
      ],
    );
  });

  it('drops a redelivered commandId: the handler runs once and answers once', async () => {
    const req = request('locate', { seconds: 3 });
    await send('locate', req);
    await send('locate', req);
    assert.equal(calls.length, 1);
    assert.equal(transport.published.length, 1);
  });

  it('answers failed with the handler error code, or INTERNAL for an error without one', async () => {
    channel.handle('diagnostics', () => {
      throw new FleetError('OUTBOX_FULL', 'no room');
    });
    channel.handle('reboot', () => {
      throw new Error('boom');
    });
    await send('diagnostics', request('diagnostics'));
    await send('reboot', request('reboot'));
    assert.deepEqual(
      transport.answers.map((a) => [a.body.status, (a.body.error as { code: string }).code, 'result' in a.body]),
      [
        ['failed', 'OUTBOX_FULL', false],
        ['failed', 'INTERNAL', false],
      ],
    );
  });

  it('drops what it cannot answer, and answers PAYLOAD_SCHEMA when it can still read the commandId', async () => {
    await send('locate', 'not json');
    await send('locate', { name: 'locate' });
    const readable = request('locate', { seconds: 2 }, { issuedAt: 'yesterday' });
    await send('locate', readable);
    // another thing's topic (the broker would never deliver it; the channel does not trust that)
    await channel.onRequest(
      commandTopics.request('cart-other', 'locate'),
      Buffer.from(JSON.stringify(request('locate'))),
    );
    // the name in the body must match the topic
    await send('logs', request('locate', { seconds: 2 }));
    assert.deepEqual(calls, []);
    assert.deepEqual(
      transport.answers.map((a) => [a.body.commandId === readable.commandId, (a.body.error as { code: string }).code]),
      [
        [true, 'PAYLOAD_SCHEMA'],
        [false, 'PAYLOAD_SCHEMA'],
      ],
    );
  });

  it('runs afterAnswer only once the answer is out (a reboot answers first)', async () => {
    const order: string[] = [];
    const publish = transport.publish.bind(transport);
    transport.publish = async (topic, payload) => {
      await publish(topic, payload);
      order.push('answered');
    };
    channel.handle('reboot', () => ({ result: { rebooting: true }, afterAnswer: () => void order.push('restarted') }));
    await send('reboot', request('reboot'));
    await waitFor(() => order.length === 2, 'the restart');
    assert.deepEqual(order, ['answered', 'restarted']);
    assert.deepEqual(transport.answers[0]?.body.result, { rebooting: true });
  });

  it('hands an answer it could not publish to the fallback (the outbox)', async () => {
    transport.failPublishes = true;
    const req = request('locate', { seconds: 1 });
    await send('locate', req);
    assert.equal(fallback.length, 1);
    assert.equal(fallback[0]?.topic, commandTopics.response(THING, 'locate'));
    assert.equal(JSON.parse(fallback[0]?.payload ?? '{}').commandId, req.commandId);
  });

  it('answers PAYLOAD_TOO_LARGE instead of a result over the size limit', async () => {
    channel.handle('diagnostics', () => ({ result: { blob: 'x'.repeat(MAX_COMMAND_RESPONSE_BYTES) } }));
    await send('diagnostics', request('diagnostics'));
    assert.equal(codeOf(transport, 0), 'PAYLOAD_TOO_LARGE');
  });
});

describe('logs command and LogRing', () => {
  it('keeps the last lines, filters by level and stays under the answer size limit', async () => {
    const ring = new LogRing(600, 4000);
    for (let i = 0; i < 600; i++)
      ring.write(`${JSON.stringify({ level: i % 2 === 0 ? 30 : 50, msg: `line ${i} ${'y'.repeat(300)}` })}\n`);
    const handler = logsCommand(ring);
    const ctx = { commandId: randomUUID(), expiresAt: NOW, log: silentLogger() };
    const few = (await handler({ lines: 3, level: 'error' }, ctx)).result as { lines: string[]; truncated: boolean };
    assert.deepEqual(
      few.lines.map((l) => JSON.parse(l).msg.split(' ').slice(0, 2).join(' ')),
      ['line 595', 'line 597', 'line 599'],
    );
    assert.equal(few.truncated, false);
    const many = (await handler({ lines: 500 }, ctx)).result as { lines: string[]; truncated: boolean };
    assert.equal(many.truncated, true, '500 lines of ~330 bytes do not fit');
    assert.ok(Buffer.byteLength(JSON.stringify(many)) < MAX_COMMAND_RESPONSE_BYTES);
    assert.match(many.lines.at(-1) ?? '', /line 599/, 'the newest lines are the ones kept');
  });
});
