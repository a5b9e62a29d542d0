import assert from 'node:assert/strict';
import {
  applyUpdate,
  computeDelta,
  deleteAcceptedPayload,
  getAcceptedPayload,
  notFoundError,
  parseTokenRequest,
  parseUpdateRequest,
  type ShadowRejection,
  type StoredShadow,
  type UpdateOutcome,
  type UpdateRequest,
} from '../../../fleet/shadow/shadow-document.ts';
import type { JsonObject } from '../../../protocol/shadow.ts';

const T0 = 1_730_000_000;
const T1 = T0 + 100;
const T2 = T0 + 200;
const LIMIT = 8192;

function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
}

function parseError(payload: unknown, nowSeconds?: number): ShadowRejection {
  const result = parseUpdateRequest(payload instanceof Uint8Array ? payload : bytes(payload), nowSeconds);
  assert.equal(result.ok, false, `expected a rejection for ${JSON.stringify(payload)}`);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

function parseOk(payload: unknown): UpdateRequest {
  const result = parseUpdateRequest(bytes(payload), T0);
  if (!result.ok) assert.fail(`unexpected rejection ${JSON.stringify(result.error)}`);
  return result.request;
}

function update(
  current: StoredShadow | undefined,
  payload: unknown,
  nowSeconds: number,
  options: { deletedVersion?: number; maxStateBytes?: number } = {},
): UpdateOutcome {
  const result = applyUpdate(
    current,
    options.deletedVersion,
    parseOk(payload),
    nowSeconds,
    options.maxStateBytes ?? LIMIT,
  );
  if (!result.ok) assert.fail(`unexpected rejection ${JSON.stringify(result.error)}`);
  return result.outcome;
}

function updateError(
  current: StoredShadow | undefined,
  payload: unknown,
  nowSeconds: number,
  options: { deletedVersion?: number; maxStateBytes?: number } = {},
): ShadowRejection {
  const result = applyUpdate(
    current,
    options.deletedVersion,
    parseOk(payload),
    nowSeconds,
    options.maxStateBytes ?? LIMIT,
  );
  assert.equal(result.ok, false);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

/** Builds a shadow through a sequence of updates, one second apart from T0. */
function build(...payloads: unknown[]): StoredShadow {
  let shadow: StoredShadow | undefined;
  payloads.forEach((payload, i) => {
    shadow = update(shadow, payload, T0 + i).next;
  });
  if (!shadow) throw new Error('no payloads');
  return shadow;
}

/** Nests `levels` objects: nest(2, 1) is {"n":{"n":1}}. */
function nest(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
}

describe('shadow-document', () => {
  describe('parseUpdateRequest', () => {
    it('parses state, clientToken and version', () => {
      assert.deepEqual(
        parseOk({ state: { desired: { a: 1 }, reported: { b: [1, 2] } }, clientToken: 'tok', version: 4 }),
        { state: { desired: { a: 1 }, reported: { b: [1, 2] } }, clientToken: 'tok', version: 4 },
      );
    });

    it('accepts a state of null, an empty state and null sections', () => {
      assert.deepEqual(parseOk({ state: null }), { state: null });
      assert.deepEqual(parseOk({ state: {} }), { state: {} });
      assert.deepEqual(parseOk({ state: { desired: null, reported: null } }), {
        state: { desired: null, reported: null },
      });
    });

    it('ignores top-level keys outside state, clientToken and version', () => {
      assert.deepEqual(parseOk({ state: { desired: { a: 1 } }, metadata: { x: 1 }, timestamp: 5, foo: 'bar' }), {
        state: { desired: { a: 1 } },
      });
    });

    it('treats a null clientToken or version as absent', () => {
      assert.deepEqual(parseOk({ state: {}, clientToken: null, version: null }), { state: {} });
    });

    it('rejects malformed JSON with 400 Invalid JSON and the timestamp', () => {
      assert.deepEqual(parseError('{"state":', T0), { code: 400, message: 'Invalid JSON', timestamp: T0 });
    });

    it('omits the timestamp when no time is given', () => {
      assert.deepEqual(parseError('nope'), { code: 400, message: 'Invalid JSON' });
    });

    it('rejects an empty payload and JSON that is not an object', () => {
      for (const payload of ['', '[]', '"state"', '42', 'null', 'true']) {
        assert.deepEqual(parseError(payload, T0), { code: 400, message: 'Invalid JSON', timestamp: T0 }, payload);
      }
    });

    it('rejects a payload that is not UTF-8', () => {
      const invalid = new Uint8Array([...bytes('{"state":{"desired":{"a":"'), 0xff, 0xfe, ...bytes('"}}}')]);
      assert.deepEqual(parseError(invalid, T0), { code: 400, message: 'Invalid JSON', timestamp: T0 });
    });

    it('accepts multi-byte UTF-8 text', () => {
      assert.deepEqual(parseOk({ state: { reported: { name: 'Café ☕ 𝄞' } } }), {
        state: { reported: { name: 'Café ☕ 𝄞' } },
      });
    });

    it('rejects a missing state and echoes the clientToken', () => {
      assert.deepEqual(parseError({ clientToken: 'abc' }, T0), {
        code: 400,
        message: 'Missing required node: state',
        timestamp: T0,
        clientToken: 'abc',
      });
    });

    it('rejects a state that is not an object', () => {
      for (const state of [1, 'x', true, [], [{ desired: {} }]]) {
        assert.deepEqual(
          parseError({ state, clientToken: 'c' }, T0),
          { code: 400, message: 'State node must be an object', timestamp: T0, clientToken: 'c' },
          JSON.stringify(state),
        );
      }
    });

    it('rejects desired that is not an object', () => {
      for (const desired of [1, 'x', false, [1]]) {
        assert.deepEqual(
          parseError({ state: { desired }, clientToken: 'c' }, T0),
          { code: 400, message: 'Desired node must be an object', timestamp: T0, clientToken: 'c' },
          JSON.stringify(desired),
        );
      }
    });

    it('rejects reported that is not an object', () => {
      for (const reported of [1, 'x', true, []]) {
        assert.deepEqual(
          parseError({ state: { desired: {}, reported }, clientToken: 'c' }, T0),
          { code: 400, message: 'Reported node must be an object', timestamp: T0, clientToken: 'c' },
          JSON.stringify(reported),
        );
      }
    });

    it('rejects unknown nodes inside state', () => {
      for (const state of [{ delta: { a: 1 } }, { desired: { a: 1 }, metadata: {} }, { Desired: {} }]) {
        assert.deepEqual(
          parseError({ state, clientToken: 'c' }, T0),
          { code: 400, message: 'State contains an invalid node', timestamp: T0, clientToken: 'c' },
          JSON.stringify(state),
        );
      }
    });

    it('rejects a clientToken that is not a string, without echoing it', () => {
      for (const clientToken of [5, true, {}, ['a']]) {
        assert.deepEqual(
          parseError({ state: {}, clientToken }, T0),
          { code: 400, message: 'Invalid clientToken', timestamp: T0 },
          JSON.stringify(clientToken),
        );
      }
    });

    it('accepts a clientToken of exactly 64 bytes and rejects 65', () => {
      assert.equal(parseOk({ state: {}, clientToken: 'a'.repeat(64) }).clientToken, 'a'.repeat(64));
      assert.deepEqual(parseError({ state: {}, clientToken: 'a'.repeat(65) }, T0), {
        code: 400,
        message: 'Invalid clientToken',
        timestamp: T0,
      });
    });

    it('counts clientToken length in UTF-8 bytes, not characters', () => {
      // '€' is 3 bytes: 21 of them are 63 bytes, 22 are 66 bytes (but only 22 characters).
      assert.equal(parseOk({ state: {}, clientToken: '€'.repeat(21) }).clientToken, '€'.repeat(21));
      assert.equal(parseError({ state: {}, clientToken: '€'.repeat(22) }).message, 'Invalid clientToken');
    });

    it('checks state before the clientToken', () => {
      assert.deepEqual(parseError({ clientToken: 7 }, T0), {
        code: 400,
        message: 'Missing required node: state',
        timestamp: T0,
      });
    });

    it('does not echo an overlong clientToken in other rejections', () => {
      assert.deepEqual(parseError({ state: 1, clientToken: 'x'.repeat(65) }, T0), {
        code: 400,
        message: 'State node must be an object',
        timestamp: T0,
      });
    });

    it('rejects versions that are not non-negative integers and echoes the clientToken', () => {
      for (const version of [-1, 1.5, '3', true, {}, [1], 2 ** 60]) {
        assert.deepEqual(
          parseError({ state: {}, version, clientToken: 'v' }, T0),
          { code: 400, message: 'Invalid version', timestamp: T0, clientToken: 'v' },
          JSON.stringify(version),
        );
      }
    });

    it('accepts version 0 and 1.0 (an integer)', () => {
      assert.equal(parseOk({ state: {}, version: 0 }).version, 0);
      const result = parseUpdateRequest(bytes('{"state":{},"version":1.0}'));
      assert.ok(result.ok);
      assert.equal(result.ok && result.request.version, 1);
    });

    describe('nesting depth (state is level 1; more than 6 levels are rejected)', () => {
      const tooDeep = 'JSON contains too many levels of nesting; maximum is 6';

      it('accepts 6 levels: state, desired and 4 nested objects', () => {
        // state(1) desired(2) n(3) n(4) n(5) n(6) with a scalar leaf: desired is the outermost of 5 nested objects.
        const payload = { state: { desired: nest(5, 1) } };
        assert.deepEqual(parseOk(payload), payload);
      });

      it('rejects 7 levels, even when the deepest is an empty object, and echoes the clientToken', () => {
        assert.deepEqual(parseError({ state: { desired: nest(6, 1) }, clientToken: 'd' }, T0), {
          code: 400,
          message: tooDeep,
          timestamp: T0,
          clientToken: 'd',
        });
        assert.equal(parseError({ state: { reported: nest(5, {}) } }).message, tooDeep);
      });

      it('counts arrays as levels', () => {
        assert.ok(parseUpdateRequest(bytes({ state: { desired: nest(4, [1, 2]) } })).ok);
        assert.ok(parseUpdateRequest(bytes({ state: { desired: nest(3, [[1]]) } })).ok);
        assert.equal(parseError({ state: { desired: nest(4, [[1]]) } }).message, tooDeep);
        assert.equal(parseError({ state: { desired: nest(4, [{ a: 1 }]) } }).message, tooDeep);
      });

      it('rejects extremely deep documents without overflowing the stack', () => {
        const deep = `{"state":{"desired":${'{"n":'.repeat(50_000)}1${'}'.repeat(50_000)}}}`;
        assert.equal(parseError(deep).message, tooDeep);
      });
    });

    it('rejects null inside arrays as Invalid JSON and echoes the clientToken', () => {
      assert.deepEqual(parseError({ state: { desired: { a: [1, null] } }, clientToken: 'n' }, T0), {
        code: 400,
        message: 'Invalid JSON',
        timestamp: T0,
        clientToken: 'n',
      });
      assert.equal(parseError({ state: { reported: { a: [[null]] } } }).message, 'Invalid JSON');
    });

    it('keeps keys such as __proto__ and constructor as ordinary data', () => {
      const request = parseOk(JSON.parse('{"state":{"desired":{"__proto__":{"x":1},"constructor":2}}}'));
      const desired = request.state?.desired as JsonObject;
      assert.deepEqual(Object.keys(desired), ['__proto__', 'constructor']);
      assert.equal(Object.getPrototypeOf(desired), Object.prototype);
    });
  });

  describe('parseTokenRequest', () => {
    it('accepts an empty payload without a token', () => {
      assert.deepEqual(parseTokenRequest(new Uint8Array(0), T0), { ok: true });
    });

    it('accepts an empty object and ignores other keys', () => {
      assert.deepEqual(parseTokenRequest(bytes({}), T0), { ok: true });
      assert.deepEqual(parseTokenRequest(bytes({ state: 5, version: 'x' }), T0), { ok: true });
    });

    it('returns the clientToken', () => {
      assert.deepEqual(parseTokenRequest(bytes({ clientToken: 'get-1' }), T0), { ok: true, clientToken: 'get-1' });
    });

    it('rejects invalid JSON, non-objects and invalid UTF-8', () => {
      const expected = { ok: false, error: { code: 400, message: 'Invalid JSON', timestamp: T0 } };
      assert.deepEqual(parseTokenRequest(bytes('{'), T0), expected);
      assert.deepEqual(parseTokenRequest(bytes('"x"'), T0), expected);
      assert.deepEqual(parseTokenRequest(bytes(' '), T0), expected);
      assert.deepEqual(parseTokenRequest(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), T0), expected);
      assert.deepEqual(parseTokenRequest(bytes('{')), { ok: false, error: { code: 400, message: 'Invalid JSON' } });
    });

    it('rejects a clientToken over 64 bytes or not a string', () => {
      const expected = { ok: false, error: { code: 400, message: 'Invalid clientToken', timestamp: T0 } };
      assert.deepEqual(parseTokenRequest(bytes({ clientToken: 'x'.repeat(65) }), T0), expected);
      assert.deepEqual(parseTokenRequest(bytes({ clientToken: 12 }), T0), expected);
      assert.deepEqual(parseTokenRequest(bytes({ clientToken: 'x'.repeat(64) }), T0), {
        ok: true,
        clientToken: 'x'.repeat(64),
      });
    });
  });

  describe('applyUpdate', () => {
    it('creates a shadow at version 1 with the exact accepted, delta and documents payloads', () => {
      const outcome = update(undefined, { state: { desired: { color: 'red' } }, clientToken: 'c1' }, T0);
      assert.deepEqual(outcome.next, {
        state: { desired: { color: 'red' } },
        metadata: { desired: { color: { timestamp: T0 } } },
        version: 1,
      });
      assert.deepEqual(outcome.accepted, {
        state: { desired: { color: 'red' } },
        metadata: { desired: { color: { timestamp: T0 } } },
        version: 1,
        timestamp: T0,
        clientToken: 'c1',
      });
      assert.deepEqual(outcome.delta, {
        state: { color: 'red' },
        metadata: { color: { timestamp: T0 } },
        version: 1,
        timestamp: T0,
        clientToken: 'c1',
      });
      assert.deepEqual(outcome.documents, {
        previous: null,
        current: {
          state: { desired: { color: 'red' } },
          metadata: { desired: { color: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
        clientToken: 'c1',
      });
    });

    it('omits clientToken from every payload when the request had none', () => {
      const outcome = update(undefined, { state: { desired: { a: 1 } } }, T0);
      assert.equal('clientToken' in outcome.accepted, false);
      assert.equal('clientToken' in (outcome.delta ?? {}), false);
      assert.equal('clientToken' in outcome.documents, false);
    });

    it('orders keys as AWS does: state, metadata, version, timestamp, clientToken', () => {
      const outcome = update(undefined, { state: { desired: { a: 1 } }, clientToken: 'k' }, T0);
      const order = ['state', 'metadata', 'version', 'timestamp', 'clientToken'];
      assert.deepEqual(Object.keys(outcome.accepted), order);
      assert.deepEqual(Object.keys(outcome.delta ?? {}), order);
      assert.deepEqual(Object.keys(outcome.documents), ['previous', 'current', 'timestamp', 'clientToken']);
    });

    it('merges key by key and keeps the metadata of untouched leaves', () => {
      const first = build({ state: { reported: { color: 'green', status: { battery: 80, mode: 'idle' } } } });
      const outcome = update(first, { state: { reported: { status: { battery: 75 } } } }, T1);
      assert.deepEqual(outcome.next, {
        state: { reported: { color: 'green', status: { battery: 75, mode: 'idle' } } },
        metadata: {
          reported: {
            color: { timestamp: T0 },
            status: { battery: { timestamp: T1 }, mode: { timestamp: T0 } },
          },
        },
        version: 2,
      });
    });

    it('echoes only the request state and metadata for the request leaves in update/accepted', () => {
      const first = build({ state: { reported: { color: 'green', speed: 3 } } });
      const outcome = update(first, { state: { reported: { speed: 4 } } }, T1);
      assert.deepEqual(outcome.accepted, {
        state: { reported: { speed: 4 } },
        metadata: { reported: { speed: { timestamp: T1 } } },
        version: 2,
        timestamp: T1,
      });
    });

    it('gives null leaves a timestamp in the accepted metadata', () => {
      const first = build({ state: { desired: { engine: 'on', lights: 'off' } } });
      const outcome = update(first, { state: { desired: { engine: null } } }, T1);
      assert.deepEqual(outcome.accepted.state, { desired: { engine: null } });
      assert.deepEqual(outcome.accepted.metadata, { desired: { engine: { timestamp: T1 } } });
    });

    it('deletes a field and its metadata with null', () => {
      const first = build({ state: { desired: { engine: 'on', lights: 'off' } } });
      const outcome = update(first, { state: { desired: { engine: null } } }, T1);
      assert.deepEqual(outcome.next.state, { desired: { lights: 'off' } });
      assert.deepEqual(outcome.next.metadata, { desired: { lights: { timestamp: T0 } } });
    });

    it('ignores null for a field that does not exist', () => {
      const first = build({ state: { desired: { a: 1 } } });
      const outcome = update(first, { state: { desired: { missing: null } } }, T1);
      assert.deepEqual(outcome.next.state, { desired: { a: 1 } });
      assert.equal(outcome.next.version, 2);
    });

    it('removes a section when its last field is deleted', () => {
      const first = build({ state: { desired: { a: 1 }, reported: { a: 1 } } });
      const outcome = update(first, { state: { desired: { a: null } } }, T1);
      assert.deepEqual(outcome.next.state, { reported: { a: 1 } });
      assert.deepEqual(outcome.next.metadata, { reported: { a: { timestamp: T0 } } });
      assert.deepEqual(outcome.documents.current.state, { reported: { a: 1 } });
    });

    it('removes a whole section with "desired": null', () => {
      const first = build({ state: { desired: { a: 1, b: { c: 2 } }, reported: { a: 0 } } });
      const outcome = update(first, { state: { desired: null } }, T1);
      assert.deepEqual(outcome.next, {
        state: { reported: { a: 0 } },
        metadata: { reported: { a: { timestamp: T0 } } },
        version: 2,
      });
      assert.deepEqual(outcome.accepted.metadata, { desired: { timestamp: T1 } });
      assert.equal(outcome.delta, undefined);
    });

    it('prunes nested objects emptied by deletes, up to the section', () => {
      const first = build({ state: { reported: { a: { b: { c: 1 } }, keep: true } } });
      const outcome = update(first, { state: { reported: { a: { b: { c: null } } } } }, T1);
      assert.deepEqual(outcome.next.state, { reported: { keep: true } });
      assert.deepEqual(outcome.next.metadata, { reported: { keep: { timestamp: T0 } } });

      const only = build({ state: { reported: { a: { b: { c: 1 } } } } });
      const emptied = update(only, { state: { reported: { a: { b: { c: null } } } } }, T1);
      assert.deepEqual(emptied.next, { state: {}, metadata: {}, version: 2 });
    });

    it('keeps sibling keys of a pruned nested object', () => {
      const first = build({ state: { reported: { a: { b: { c: 1 }, d: 2 } } } });
      const outcome = update(first, { state: { reported: { a: { b: { c: null } } } } }, T1);
      assert.deepEqual(outcome.next.state, { reported: { a: { d: 2 } } });
      assert.deepEqual(outcome.next.metadata, { reported: { a: { d: { timestamp: T0 } } } });
    });

    it('does not store new objects that hold only nulls or nothing', () => {
      const outcome = update(undefined, { state: { desired: { a: { b: null }, c: {}, d: 1 } } }, T0);
      assert.deepEqual(outcome.next.state, { desired: { d: 1 } });
      assert.deepEqual(outcome.next.metadata, { desired: { d: { timestamp: T0 } } });
    });

    it('replaces arrays whole and gives them per-element metadata', () => {
      const first = build({ state: { reported: { rgb: [255, 0, 0, 7], id: 'x' } } });
      const outcome = update(first, { state: { reported: { rgb: [0, 255] } } }, T1);
      assert.deepEqual(outcome.next.state, { reported: { rgb: [0, 255], id: 'x' } });
      assert.deepEqual(outcome.next.metadata, {
        reported: { rgb: [{ timestamp: T1 }, { timestamp: T1 }], id: { timestamp: T0 } },
      });
      assert.deepEqual(outcome.accepted.metadata, { reported: { rgb: [{ timestamp: T1 }, { timestamp: T1 }] } });
    });

    it('recurses into objects and arrays inside arrays for metadata, and stores them as given', () => {
      const outcome = update(undefined, { state: { reported: { list: [{ a: 1, b: {} }, [2, 3], 'z'] } } }, T0);
      assert.deepEqual(outcome.next.state, { reported: { list: [{ a: 1, b: {} }, [2, 3], 'z'] } });
      assert.deepEqual(outcome.next.metadata, {
        reported: {
          list: [{ a: { timestamp: T0 }, b: {} }, [{ timestamp: T0 }, { timestamp: T0 }], { timestamp: T0 }],
        },
      });
    });

    it('replaces the metadata wholesale when a value changes type', () => {
      const first = build({ state: { reported: { a: { x: 1, y: 2 } } } });
      const toScalar = update(first, { state: { reported: { a: 5 } } }, T1);
      assert.deepEqual(toScalar.next.metadata, { reported: { a: { timestamp: T1 } } });
      const toObject = update(toScalar.next, { state: { reported: { a: { z: 3 } } } }, T2);
      assert.deepEqual(toObject.next.state, { reported: { a: { z: 3 } } });
      assert.deepEqual(toObject.next.metadata, { reported: { a: { z: { timestamp: T2 } } } });
    });

    it('treats a field called "timestamp" as data', () => {
      const first = build({ state: { reported: { timestamp: { at: 1 } } } });
      const outcome = update(first, { state: { reported: { timestamp: { by: 'me' } } } }, T1);
      assert.deepEqual(outcome.next.state, { reported: { timestamp: { at: 1, by: 'me' } } });
      assert.deepEqual(outcome.next.metadata, {
        reported: { timestamp: { at: { timestamp: T0 }, by: { timestamp: T1 } } },
      });
    });

    it('merges keys named __proto__ and constructor as ordinary fields', () => {
      const first = update(undefined, JSON.parse('{"state":{"reported":{"__proto__":{"a":1},"constructor":1}}}'), T0);
      const outcome = update(first.next, JSON.parse('{"state":{"reported":{"__proto__":{"b":2}}}}'), T1);
      const reported = outcome.next.state.reported as JsonObject;
      assert.deepEqual(JSON.parse(JSON.stringify(reported)), JSON.parse('{"__proto__":{"a":1,"b":2},"constructor":1}'));
      assert.equal(Object.getPrototypeOf(reported), Object.prototype);
      assert.equal(({} as { a?: number }).a, undefined);
    });

    it('does not modify the current shadow', () => {
      const first = build({ state: { desired: { a: { b: 1 } }, reported: { list: [1] } } });
      const before = JSON.parse(JSON.stringify(first));
      const outcome = update(first, { state: { desired: { a: { b: null, c: 2 } }, reported: { list: [2] } } }, T1);
      assert.deepEqual(first, before);
      assert.deepEqual(outcome.documents.previous, before);
    });

    it('does not share objects between the stored shadow and the payloads', () => {
      const outcome = update(undefined, { state: { desired: { a: { b: 1 } } } }, T0);
      ((outcome.documents.current.state.desired as JsonObject).a as JsonObject).b = 99;
      assert.ok(outcome.delta);
      ((outcome.delta.state as JsonObject).a as JsonObject).b = 98;
      assert.deepEqual(outcome.next.state, { desired: { a: { b: 1 } } });
    });

    it('bumps the version on every accepted update, including equal values', () => {
      let shadow = build({ state: { reported: { a: 1 } } });
      for (let i = 0; i < 3; i++) shadow = update(shadow, { state: { reported: { a: 1 } } }, T1).next;
      assert.equal(shadow.version, 4);
      assert.deepEqual(shadow.metadata, { reported: { a: { timestamp: T1 } } });
    });

    it('accepts {"state": {}}, changes nothing but the version', () => {
      const first = build({ state: { desired: { a: 1 }, reported: { a: 1 } } });
      const outcome = update(first, { state: {}, clientToken: 'e' }, T1);
      assert.deepEqual(outcome.next, { ...first, version: 2 });
      assert.deepEqual(outcome.accepted, { state: {}, metadata: {}, version: 2, timestamp: T1, clientToken: 'e' });
      assert.equal(outcome.delta, undefined);
    });

    it('clears everything with {"state": null} and answers like AWS', () => {
      const first = build({ state: { desired: { a: 1 }, reported: { a: 2 } } }, { state: { reported: { b: 1 } } });
      const outcome = update(first, { state: null }, T1);
      assert.deepEqual(outcome.next, { state: {}, metadata: {}, version: 3 });
      assert.deepEqual(outcome.accepted, { state: null, metadata: { timestamp: T1 }, version: 3, timestamp: T1 });
      assert.equal(outcome.delta, undefined);
      assert.deepEqual(outcome.documents, {
        previous: {
          state: { desired: { a: 1 }, reported: { a: 2, b: 1 } },
          metadata: {
            desired: { a: { timestamp: T0 } },
            reported: { a: { timestamp: T0 }, b: { timestamp: T0 + 1 } },
          },
          version: 2,
        },
        current: { state: {}, metadata: {}, version: 3 },
        timestamp: T1,
      });
    });

    it('creates an empty shadow with {"state": null} when none exists', () => {
      const outcome = update(undefined, { state: null }, T0);
      assert.deepEqual(outcome.next, { state: {}, metadata: {}, version: 1 });
      assert.equal(outcome.documents.previous, null);
    });

    describe('versions', () => {
      it('accepts a matching version and rejects any other with 409, echoing the clientToken without a timestamp', () => {
        const shadow = build({ state: { reported: { a: 1 } } }, { state: { reported: { a: 2 } } });
        assert.equal(update(shadow, { state: { reported: { a: 3 } }, version: 2 }, T1).next.version, 3);
        for (const version of [1, 3, 0]) {
          assert.deepEqual(updateError(shadow, { state: { reported: { a: 3 } }, version, clientToken: 'v' }, T1), {
            code: 409,
            message: 'Version conflict',
            clientToken: 'v',
          });
        }
      });

      it('accepts only version 0 (or none) for a shadow that never existed', () => {
        assert.equal(update(undefined, { state: {}, version: 0 }, T0).next.version, 1);
        assert.deepEqual(updateError(undefined, { state: {}, version: 1 }, T0), {
          code: 409,
          message: 'Version conflict',
        });
      });

      it('continues from the version of a deleted shadow', () => {
        const fresh = update(undefined, { state: { reported: { a: 1 } } }, T0, { deletedVersion: 9 });
        assert.equal(fresh.next.version, 10);
        assert.equal(fresh.accepted.version, 10);
        assert.equal(fresh.documents.current.version, 10);
        assert.equal(fresh.documents.previous, null);
        assert.equal(update(undefined, { state: {}, version: 9 }, T0, { deletedVersion: 9 }).next.version, 10);
        assert.deepEqual(updateError(undefined, { state: {}, version: 0 }, T0, { deletedVersion: 9 }), {
          code: 409,
          message: 'Version conflict',
        });
      });

      it('checks the version before the size', () => {
        const shadow = build({ state: { reported: { a: 1 } } });
        const error = updateError(shadow, { state: { reported: { big: 'x'.repeat(100) } }, version: 7 }, T1, {
          maxStateBytes: 10,
        });
        assert.equal(error.code, 409);
      });
    });

    describe('size limit', () => {
      it('rejects a merged state over the limit with 413, the timestamp and the clientToken', () => {
        assert.deepEqual(
          updateError(undefined, { state: { reported: { s: 'x'.repeat(LIMIT) } }, clientToken: 'big' }, T0),
          { code: 413, message: 'The payload exceeds the maximum size allowed', timestamp: T0, clientToken: 'big' },
        );
      });

      it('counts desired plus reported after the merge, as UTF-8 bytes of compact JSON', () => {
        // {"s":"…"} is 8 bytes plus the string.
        const shadow = build({ state: { desired: { s: 'x'.repeat(42) } } }); // 50 bytes
        assert.ok(applyUpdate(shadow, undefined, parseOk({ state: { reported: { s: 'y'.repeat(42) } } }), T1, 100).ok);
        const over = applyUpdate(shadow, undefined, parseOk({ state: { reported: { s: 'y'.repeat(43) } } }), T1, 100);
        assert.equal(!over.ok && over.error.code, 413);
        // '€' is 3 bytes: 14 of them are 42 bytes, so this is exactly 100 bytes again.
        assert.ok(applyUpdate(shadow, undefined, parseOk({ state: { reported: { s: '€'.repeat(14) } } }), T1, 100).ok);
        const overUtf8 = applyUpdate(
          shadow,
          undefined,
          parseOk({ state: { reported: { s: '€'.repeat(15) } } }),
          T1,
          100,
        );
        assert.equal(!overUtf8.ok && overUtf8.error.code, 413);
      });

      it('does not count metadata', () => {
        // {"a":1} is 7 bytes; its metadata {"a":{"timestamp":1730000000}} is 30.
        const fits = applyUpdate(undefined, undefined, parseOk({ state: { reported: { a: 1 } } }), T0, 7);
        assert.ok(fits.ok);
        const over = applyUpdate(undefined, undefined, parseOk({ state: { reported: { a: 10 } } }), T0, 7);
        assert.equal(!over.ok && over.error.code, 413);
      });

      it('lets an update that shrinks an oversized shadow down below the limit through', () => {
        const shadow = build({ state: { reported: { a: 'x'.repeat(40), b: 1 } } }); // 54 bytes
        const shrink = applyUpdate(shadow, undefined, parseOk({ state: { reported: { a: null } } }), T1, 20);
        assert.ok(shrink.ok);
        const still = applyUpdate(shadow, undefined, parseOk({ state: { reported: { b: 2 } } }), T1, 20);
        assert.equal(!still.ok && still.error.code, 413);
      });
    });

    describe('delta', () => {
      it('is the full delta, not only the fields of the update, with the desired timestamps', () => {
        const shadow = build(
          { state: { desired: { color: 'red', status: 'great', size: 2 } } },
          { state: { reported: { color: 'red', status: 'awful' } } },
        );
        const outcome = update(shadow, { state: { reported: { size: 1 } }, clientToken: 'r' }, T1);
        assert.deepEqual(outcome.delta, {
          state: { status: 'great', size: 2 },
          metadata: { status: { timestamp: T0 }, size: { timestamp: T0 } },
          version: 3,
          timestamp: T1,
          clientToken: 'r',
        });
      });

      it('is sent after a reported-only update that leaves a difference', () => {
        const shadow = build({ state: { desired: { status: 'great' } } });
        const outcome = update(shadow, { state: { reported: { status: 'awful' } } }, T1);
        assert.deepEqual(outcome.delta?.state, { status: 'great' });
        assert.deepEqual(outcome.delta?.metadata, { status: { timestamp: T0 } });
        assert.equal(outcome.delta?.version, 2);
      });

      it('is omitted when desired and reported agree', () => {
        const shadow = build({ state: { desired: { foo: 2, nested: { a: [1, 2] } } } });
        const outcome = update(shadow, { state: { reported: { foo: 2, nested: { a: [1, 2] }, extra: true } } }, T1);
        assert.equal(outcome.delta, undefined);
      });

      it('is omitted when there is no desired section', () => {
        assert.equal(update(undefined, { state: { reported: { a: 1 } } }, T0).delta, undefined);
      });

      it('contains nested paths from the root with their desired metadata', () => {
        const shadow = build(
          { state: { desired: { lights: { color: { r: 255, g: 255, b: 255 }, on: true } } } },
          { state: { reported: { lights: { color: { r: 255, g: 0, b: 255 }, on: true } } } },
        );
        const outcome = update(shadow, { state: { desired: { lights: { on: true } } } }, T1);
        assert.deepEqual(outcome.delta?.state, { lights: { color: { g: 255 } } });
        assert.deepEqual(outcome.delta?.metadata, { lights: { color: { g: { timestamp: T0 } } } });
      });

      it('copies a whole desired object that reported lacks, with its metadata', () => {
        const shadow = build({ state: { desired: { cfg: { a: 1, b: [1, 2] } } } });
        const outcome = update(shadow, { state: { reported: { other: 1 } } }, T1);
        assert.deepEqual(outcome.delta?.state, { cfg: { a: 1, b: [1, 2] } });
        assert.deepEqual(outcome.delta?.metadata, {
          cfg: { a: { timestamp: T0 }, b: [{ timestamp: T0 }, { timestamp: T0 }] },
        });
      });
    });
  });

  describe('computeDelta', () => {
    it('is undefined without desired', () => {
      assert.equal(computeDelta(undefined, { a: 1 }), undefined);
      assert.equal(computeDelta(undefined, undefined), undefined);
    });

    it('is the whole desired section without reported', () => {
      assert.deepEqual(computeDelta({ a: 1, b: { c: 2 } }, undefined), { a: 1, b: { c: 2 } });
    });

    it('is undefined for an empty desired section', () => {
      assert.equal(computeDelta({}, undefined), undefined);
    });

    it('includes missing and changed desired fields, never reported-only fields', () => {
      assert.deepEqual(computeDelta({ a: 1, b: 2, c: 'x' }, { a: 1, b: 3, d: 4 }), { b: 2, c: 'x' });
    });

    it('copies whole arrays when they differ and omits equal ones', () => {
      assert.deepEqual(computeDelta({ a: [1, 2, 3], b: [1, 2] }, { a: [1, 2], b: [1, 2] }), { a: [1, 2, 3] });
      assert.deepEqual(computeDelta({ a: [1, 2] }, { a: [2, 1] }), { a: [1, 2] });
    });

    it('uses the desired value when the types differ', () => {
      assert.deepEqual(computeDelta({ a: { x: 1 }, b: 1, c: '1', d: [1] }, { a: 1, b: { x: 1 }, c: 1, d: 1 }), {
        a: { x: 1 },
        b: 1,
        c: '1',
        d: [1],
      });
    });

    it('compares numbers by value and objects regardless of key order', () => {
      const desired = JSON.parse('{"n":1.0,"f":1e2,"list":[{"a":1,"b":2}],"o":{"x":1,"y":2}}');
      const reported = JSON.parse('{"n":1,"f":100,"list":[{"b":2,"a":1}],"o":{"y":2,"x":1}}');
      assert.equal(computeDelta(desired, reported), undefined);
      assert.deepEqual(computeDelta({ n: 1 }, { n: 1.5 }), { n: 1 });
      assert.deepEqual(computeDelta({ b: false }, { b: 0 }), { b: false });
      assert.deepEqual(computeDelta({ l: [{ a: 1 }] }, { l: [{ a: 1, b: 2 }] }), { l: [{ a: 1 }] });
    });

    it('recurses into nested objects and keeps only differing paths', () => {
      assert.deepEqual(
        computeDelta(
          { lights: { color: { r: 255, g: 255, b: 255 } }, same: { x: 1 } },
          { lights: { color: { r: 255, g: 0, b: 255 } }, same: { x: 1 } },
        ),
        { lights: { color: { g: 255 } } },
      );
    });

    it('does not return the input objects', () => {
      const desired = { a: { b: 1 } };
      const delta = computeDelta(desired, undefined) as JsonObject;
      (delta.a as JsonObject).b = 2;
      assert.deepEqual(desired, { a: { b: 1 } });
    });
  });

  describe('getAcceptedPayload', () => {
    it('includes the delta when desired differs from reported', () => {
      const shadow = build({ state: { desired: { color: 'red', n: 1 } } }, { state: { reported: { color: 'green' } } });
      assert.deepEqual(getAcceptedPayload(shadow, 'g1', T2), {
        state: { desired: { color: 'red', n: 1 }, reported: { color: 'green' }, delta: { color: 'red', n: 1 } },
        metadata: {
          desired: { color: { timestamp: T0 }, n: { timestamp: T0 } },
          reported: { color: { timestamp: T0 + 1 } },
        },
        version: 2,
        timestamp: T2,
        clientToken: 'g1',
      });
    });

    it('has no delta when in sync and no clientToken when none was given', () => {
      const shadow = build({ state: { desired: { a: 1 }, reported: { a: 1 } } });
      const payload = getAcceptedPayload(shadow, undefined, T1);
      assert.deepEqual(payload, {
        state: { desired: { a: 1 }, reported: { a: 1 } },
        metadata: { desired: { a: { timestamp: T0 } }, reported: { a: { timestamp: T0 } } },
        version: 1,
        timestamp: T1,
      });
      assert.deepEqual(Object.keys(payload), ['state', 'metadata', 'version', 'timestamp']);
    });

    it('answers an emptied shadow with empty state and metadata', () => {
      const shadow = build({ state: { reported: { a: 1 } } }, { state: null });
      assert.deepEqual(getAcceptedPayload(shadow, undefined, T1), {
        state: {},
        metadata: {},
        version: 2,
        timestamp: T1,
      });
    });

    it('does not share objects with the stored shadow', () => {
      const shadow = build({ state: { reported: { a: { b: 1 } } } });
      const payload = getAcceptedPayload(shadow, undefined, T1);
      ((payload.state.reported as JsonObject).a as JsonObject).b = 5;
      assert.deepEqual(shadow.state, { reported: { a: { b: 1 } } });
    });
  });

  describe('deleteAcceptedPayload', () => {
    it('reports the current version without bumping it', () => {
      const shadow = build({ state: { reported: { a: 1 } } }, { state: { reported: { a: 2 } } });
      assert.deepEqual(deleteAcceptedPayload(shadow, 'd1', T2), { version: 2, timestamp: T2, clientToken: 'd1' });
      assert.deepEqual(deleteAcceptedPayload(shadow, undefined, T2), { version: 2, timestamp: T2 });
      assert.equal(shadow.version, 2);
    });
  });

  describe('notFoundError', () => {
    it('names the thing for the classic shadow, without a timestamp', () => {
      assert.deepEqual(notFoundError('thing1', undefined), {
        code: 404,
        message: "No shadow exists with name: 'thing1'",
      });
    });

    it('names only the shadow for a named shadow', () => {
      assert.deepEqual(notFoundError('thing1', 'simShadow1'), {
        code: 404,
        message: "No shadow exists with name: 'simShadow1'",
      });
    });

    it('echoes the clientToken', () => {
      assert.deepEqual(notFoundError('thing1', undefined, 'tok'), {
        code: 404,
        message: "No shadow exists with name: 'thing1'",
        clientToken: 'tok',
      });
    });
  });
});
