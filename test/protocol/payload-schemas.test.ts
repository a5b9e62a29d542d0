import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SchemaValidator, schemaValidators } from '../../platform/schema-validator.ts';
import {
  COMMAND_NAMES,
  type CommandName,
  CommandParamsJsonSchemas,
  type CommandRequest,
  CommandRequestJsonSchema,
  type CommandResponse,
  CommandResponseJsonSchema,
  MAX_LOCATE_SECONDS,
  MAX_LOG_LINES,
} from '../../protocol/commands.ts';
import { DESIRED_KEYS, desiredStateProblems } from '../../protocol/desired-state.ts';
import { ErrorCodes, FleetError, isFleetError } from '../../protocol/errors.ts';
import { type DataMessage, DataMessageJsonSchema, MAX_METRICS_PER_MESSAGE } from '../../protocol/telemetry.ts';

/**
 * The payload schemas of protocol/, compiled as the fleet and the devices compile them (platform's SchemaValidator,
 * ajv in strict mode): what each accepts, what it refuses and which field the refusal names.
 */
function refuses<T>(validator: SchemaValidator<T>, value: unknown, where: RegExp, what: string): void {
  const check = validator.check(value);
  assert.equal(check.ok, false, `${what} should be refused`);
  if (!check.ok) assert.match(check.reason, where, what);
}

describe('payload schemas (protocol/)', () => {
  describe('device data: DataMessageJsonSchema', () => {
    const data = new SchemaValidator<DataMessage>(DataMessageJsonSchema);
    const message = (overrides: object = {}) => ({
      msgId: 'boot1-42',
      ts: 1_800_000_000_000,
      metrics: { 'battery.percent': 87, charging: true, zone: 'dock', fault: null },
      ...overrides,
    });

    it('accepts a message with metrics of every allowed type, and an empty metrics object', () => {
      assert.deepEqual(data.check(message()), { ok: true, value: message() });
      assert.equal(data.check(message({ metrics: {} })).ok, true);
      const full = Object.fromEntries(Array.from({ length: MAX_METRICS_PER_MESSAGE }, (_, i) => [`m${i}`, i]));
      assert.equal(data.check(message({ metrics: full })).ok, true, `${MAX_METRICS_PER_MESSAGE} metrics`);
      assert.equal(data.check(message({ msgId: `${'a'.repeat(63)}:` })).ok, true, '64-character msgId');
    });

    it('refuses a missing or extra field, naming it', () => {
      refuses(data, { ts: 1, metrics: {} }, /msgId/, 'no msgId');
      refuses(data, { msgId: 'a', metrics: {} }, /ts/, 'no ts');
      refuses(data, { msgId: 'a', ts: 1 }, /metrics/, 'no metrics');
      refuses(data, message({ extra: 1 }), /additional/, 'an extra field');
      for (const value of [null, [], 'text', 42]) refuses(data, value, /root|object/, JSON.stringify(value));
    });

    it('refuses a msgId that is empty, too long or made of other characters', () => {
      for (const msgId of ['', 'a'.repeat(65), 'a b', 'a/b', 'a+b', 'a#b', 'ü', 'a\u0000', 42, null]) {
        refuses(data, message({ msgId }), /msgId/, JSON.stringify(msgId));
      }
    });

    it('refuses a ts that is not a positive integer of milliseconds', () => {
      for (const ts of [0, -1, 1.5, '1800000000000', null, true, Number.NaN]) {
        refuses(data, message({ ts }), /ts/, String(ts));
      }
    });

    it('refuses nested, over-long and too many metrics, and names that are not metric names', () => {
      refuses(data, message({ metrics: { a: { nested: 1 } } }), /metrics/, 'an object value');
      refuses(data, message({ metrics: { a: [1, 2] } }), /metrics/, 'an array value');
      refuses(data, message({ metrics: { a: 'x'.repeat(257) } }), /metrics/, 'a 257-character string');
      assert.equal(data.check(message({ metrics: { a: 'x'.repeat(256) } })).ok, true, '256 characters');
      const tooMany = Object.fromEntries(Array.from({ length: MAX_METRICS_PER_MESSAGE + 1 }, (_, i) => [`m${i}`, i]));
      refuses(data, message({ metrics: tooMany }), /metrics/, 'one metric too many');
      for (const name of ['', '1abc', '_a', 'a b', 'a/b', 'a-b', 'a$', 'ä', 'x'.repeat(65), '__proto__']) {
        refuses(data, message({ metrics: JSON.parse(`{${JSON.stringify(name)}:1}`) }), /metrics/, JSON.stringify(name));
      }
    });
  });

  describe('commands: request, answer and params', () => {
    const requests = new SchemaValidator<CommandRequest>(CommandRequestJsonSchema);
    const answers = new SchemaValidator<CommandResponse>(CommandResponseJsonSchema);
    const params = schemaValidators<CommandName>(CommandParamsJsonSchemas);
    const commandId = randomUUID();
    const request = (overrides: object = {}) => ({
      commandId,
      name: 'locate',
      params: { seconds: 5 },
      issuedAt: 1_800_000_000_000,
      expiresAt: 1_800_000_030_000,
      ...overrides,
    });

    it('a request: a UUID correlation id, a name, params and two epoch-ms times, nothing else', () => {
      assert.equal(requests.check(request()).ok, true);
      refuses(requests, request({ commandId: 'not-a-uuid' }), /commandId/, 'commandId not a UUID');
      refuses(requests, request({ commandId: `${commandId}x` }), /commandId/, 'commandId with a tail');
      refuses(requests, request({ name: '' }), /name/, 'an empty name');
      refuses(requests, request({ params: [] }), /params/, 'params as an array');
      refuses(requests, request({ expiresAt: 1.5 }), /expiresAt/, 'a fractional deadline');
      refuses(requests, request({ issuedAt: 0 }), /issuedAt/, 'issuedAt 0');
      refuses(requests, request({ extra: true }), /additional/, 'an extra field');
    });

    it('an answer: succeeded with a result and no error, or failed with a coded error and no result', () => {
      assert.equal(answers.check({ commandId, status: 'succeeded', result: { seconds: 5 } }).ok, true);
      assert.equal(
        answers.check({ commandId, status: 'failed', error: { code: 'COMMAND_EXPIRED', message: 'late' } }).ok,
        true,
      );
      for (const [what, answer] of [
        ['succeeded without result', { commandId, status: 'succeeded' }],
        [
          'succeeded with an error too',
          { commandId, status: 'succeeded', result: {}, error: { code: 'X', message: '' } },
        ],
        ['failed without error', { commandId, status: 'failed' }],
        ['failed with a result too', { commandId, status: 'failed', result: {}, error: { code: 'X', message: '' } }],
        ['an error code not in CONSTANT_CASE', { commandId, status: 'failed', error: { code: 'oops', message: '' } }],
        ['a 1025-character message', { commandId, status: 'failed', error: { code: 'X', message: 'm'.repeat(1025) } }],
        ['an unknown status', { commandId, status: 'done', result: {} }],
        ['a foreign commandId', { commandId: 'abc', status: 'succeeded', result: {} }],
      ] as const) {
        assert.equal(answers.check(answer).ok, false, what);
      }
    });

    it('params: every command has a schema; defaults are filled in; limits and unknown params are refused', () => {
      assert.deepEqual([...params.keys()].sort(), [...COMMAND_NAMES].sort());
      const locate = params.get('locate')!;
      assert.deepEqual(locate.check({}), { ok: true, value: { seconds: 10 } }, 'locate defaults to 10 s');
      assert.equal(locate.check({ seconds: MAX_LOCATE_SECONDS }).ok, true);
      refuses(locate, { seconds: MAX_LOCATE_SECONDS + 1 }, /seconds/, 'past the locate limit');
      refuses(locate, { seconds: 0 }, /seconds/, 'zero seconds');
      refuses(locate, { seconds: 2.5 }, /seconds/, 'fractional seconds');
      refuses(locate, { seconds: 5, loud: true }, /additional/, 'an unknown param');
      const logs = params.get('logs')!;
      assert.deepEqual(logs.check({}), { ok: true, value: { lines: 100 } });
      assert.equal(logs.check({ lines: MAX_LOG_LINES, level: 'warn' }).ok, true);
      refuses(logs, { lines: MAX_LOG_LINES + 1 }, /lines/, 'past the line limit');
      refuses(logs, { lines: 10, level: 'loud' }, /level/, 'an unknown level');
      for (const name of ['reboot', 'diagnostics'] as const) {
        assert.equal(params.get(name)!.check({}).ok, true);
        refuses(params.get(name)!, { force: true }, /additional/, `${name} takes no params`);
      }
    });
  });

  describe('desired state: desiredStateProblems', () => {
    it("accepts each kind's own settings within their ranges, and null to remove one", () => {
      for (const [kind, keys] of Object.entries(DESIRED_KEYS) as [
        keyof typeof DESIRED_KEYS,
        typeof DESIRED_KEYS.cart,
      ][]) {
        for (const [key, spec] of Object.entries(keys)) {
          for (const value of [spec.minimum, spec.maximum, null]) {
            assert.deepEqual(desiredStateProblems(kind, { [key]: value }), [], `${kind}.${key} = ${value}`);
          }
        }
      }
    });

    it("refuses another kind's setting, values out of range or of the wrong type, and an empty change", () => {
      assert.equal(desiredStateProblems('cart', { volume: 10 }).length, 1, 'a speaker setting on a cart');
      for (const value of [-1, 101, 50.5, '50', true, {}, [], Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.equal(desiredStateProblems('speaker', { volume: value }).length, 1, JSON.stringify(value));
      }
      assert.deepEqual(desiredStateProblems('cart', {}), ['desired is empty']);
      // Names every object has are not settings.
      for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        assert.equal(desiredStateProblems('cart', JSON.parse(`{${JSON.stringify(key)}:1}`)).length, 1, key);
      }
    });
  });

  describe('errors: FleetError', () => {
    it('carries its code, the status of the code and its details, and serialises without a stack', () => {
      const err = new FleetError('COMMAND_TIMED_OUT', 'no answer', { commandId: 'x' });
      assert.equal(err.status, ErrorCodes.COMMAND_TIMED_OUT);
      assert.equal(err.status, 504);
      assert.ok(isFleetError(err, 'COMMAND_TIMED_OUT'));
      assert.equal(isFleetError(err, 'COMMAND_EXPIRED'), false);
      assert.equal(isFleetError(new Error('COMMAND_TIMED_OUT')), false);
      assert.deepEqual(JSON.parse(JSON.stringify(err)), {
        code: 'COMMAND_TIMED_OUT',
        message: 'no answer',
        details: { commandId: 'x' },
      });
    });

    it('maps every code to an HTTP status', () => {
      for (const [code, status] of Object.entries(ErrorCodes)) {
        assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code}: ${status}`);
        assert.match(code, /^[A-Z][A-Z0-9_]*$/);
      }
    });
  });
});
