import assert from 'node:assert/strict';
import { durationSeconds } from '../../../fleet/cli/cli-context.ts';
import { parseAssignment } from '../../../fleet/cli/groups/device-changes.ts';
import { Output, relativeTime, truncate } from '../../../fleet/cli/output.ts';

function capture(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) };
  return { out: new Output(false, stream, { isTTY: false, write: () => true }, env, () => 1_000_000_000), written };
}

describe('fleetctl output', () => {
  it('aligns columns under their headers, cuts long cells, prints - for empty ones', () => {
    const { out, written } = capture(false);
    out.table(
      [
        { name: 'cart-1', battery: 80, note: null },
        { name: 'cart-with-a-long-name', battery: 5, note: 'x' },
      ],
      [
        { header: 'THING', value: (r) => r.name, max: 10 },
        { header: 'BATTERY', value: (r) => r.battery, align: 'right' },
        { header: 'NOTE', value: (r) => r.note },
      ],
    );
    assert.deepEqual(written.join('').split('\n'), [
      'THING       BATTERY  NOTE',
      'cart-1           80  -',
      'cart-with…        5  x',
      '',
    ]);
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    assert.equal(capture(true).out.paint('online', 'green'), '\u001b[32monline\u001b[39m');
    assert.equal(capture(false).out.paint('online', 'green'), 'online');
    assert.equal(capture(true, { NO_COLOR: '1' }).out.paint('online', 'green'), 'online');
  });

  it('says how long ago, or how long until', () => {
    const now = 1_000_000_000;
    assert.equal(relativeTime(null, now), '-');
    assert.equal(relativeTime(now - 2000, now), 'just now');
    assert.equal(relativeTime(now - 42_000, now), '42 s ago');
    assert.equal(relativeTime(now - 3 * 60_000 - 5000, now), '3 min ago');
    assert.equal(relativeTime(now + 2 * 3_600_000, now), 'in 2 h');
    assert.equal(relativeTime(now - 3 * 86_400_000, now), '3 d ago');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abc', 4), 'abc');
  });
});

describe('fleetctl argument parsing', () => {
  it('reads key=value as JSON when it is JSON, as text otherwise', () => {
    assert.deepEqual(parseAssignment('volume=40'), ['volume', 40]);
    assert.deepEqual(parseAssignment('volume=null'), ['volume', null]);
    assert.deepEqual(parseAssignment('on=true'), ['on', true]);
    assert.deepEqual(parseAssignment('code="40"'), ['code', '40']);
    assert.deepEqual(parseAssignment('mode=quiet'), ['mode', 'quiet']);
    assert.deepEqual(parseAssignment('url=a=b'), ['url', 'a=b']);
    assert.throws(() => parseAssignment('=5'), { code: 'USAGE' });
    assert.throws(() => parseAssignment('volume'), { code: 'USAGE' });
  });

  it('reads durations in seconds, minutes, hours and days', () => {
    assert.equal(durationSeconds('90', '--queue-for'), 90);
    assert.equal(durationSeconds('10m', '--queue-for'), 600);
    assert.equal(durationSeconds('2h', '--queue-for'), 7200);
    assert.equal(durationSeconds('1d', '--queue-for'), 86_400);
    assert.throws(() => durationSeconds('soon', '--queue-for'), { code: 'USAGE', exitCode: 2 });
  });
});
