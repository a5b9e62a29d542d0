import assert from 'node:assert/strict';
import { asList, MAX_POLICY_BYTES, parsePolicyDocument } from '../../../fleet/policy/policy-document.ts';
import { FleetError } from '../../../protocol/errors.ts';

const VALID_STATEMENT = { Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:*:*:topic/a' };

function rejects(input: unknown): FleetError {
  try {
    parsePolicyDocument(input);
  } catch (err) {
    assert.ok(err instanceof FleetError, `expected a FleetError, got ${String(err)}`);
    assert.equal(err.code, 'POLICY_INVALID');
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

function problems(err: FleetError): string[] {
  assert.ok(Array.isArray(err.details), 'details lists the problems');
  return err.details as string[];
}

describe('parsePolicyDocument', () => {
  it('accepts a document as an object or as JSON text, with one statement or a list', () => {
    const single = { Version: '2012-10-17', Statement: VALID_STATEMENT };
    assert.deepEqual(parsePolicyDocument(single), single);
    assert.deepEqual(parsePolicyDocument(JSON.stringify(single)), single);
    const list = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'one', ...VALID_STATEMENT },
        {
          Effect: 'Deny',
          Action: ['iot:Subscribe', 'iot:Receive'],
          NotResource: ['arn:aws:iot:*:*:topic/b', 'arn:aws:iot:*:*:topicfilter/b'],
          Condition: {
            Bool: { 'iot:Connection.Thing.IsAttached': 'true' },
            StringNotLike: { 'iot:ClientId': ['x*', 'y*'] },
          },
        },
      ],
    };
    assert.deepEqual(parsePolicyDocument(list), list);
  });

  it('rejects text that is not JSON', () => {
    rejects('{"Version": "2012-10-17",');
    rejects('');
  });

  it('rejects a missing document or one that is not an object', () => {
    rejects(undefined);
    rejects(null);
    rejects('[]');
    rejects(42);
  });

  it('rejects another Version', () => {
    const err = rejects({ Version: '2008-10-17', Statement: VALID_STATEMENT });
    assert.ok(
      problems(err).some((p) => p.startsWith('Version')),
      problems(err).join('; '),
    );
    rejects({ Statement: VALID_STATEMENT });
  });

  it('rejects unknown keys at the top level and in statements (NotAction included)', () => {
    rejects({ Version: '2012-10-17', Statement: VALID_STATEMENT, Id: 'x' });
    const err = rejects({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', NotAction: 'iot:Connect', Resource: '*' },
    });
    assert.ok(
      problems(err).some((p) => p.includes('NotAction')),
      problems(err).join('; '),
    );
    rejects({ Version: '2012-10-17', Statement: { ...VALID_STATEMENT, Principal: '*' } });
  });

  it('rejects a statement with both Resource and NotResource, or with neither', () => {
    rejects({ Version: '2012-10-17', Statement: { ...VALID_STATEMENT, NotResource: '*' } });
    rejects({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iot:Publish' } });
  });

  it('rejects unsupported condition operators and keys', () => {
    for (const Condition of [
      { 'ForAllValues:StringEquals': { 'iot:ClientId': 'a' } },
      { StringEqualsIgnoreCase: { 'iot:ClientId': 'a' } },
      { Null: { 'iot:ClientId': 'true' } },
      { StringEquals: { 'iot:Connection.Thing.Attributes[floor]': '1' } },
    ]) {
      rejects({ Version: '2012-10-17', Statement: { ...VALID_STATEMENT, Condition } });
    }
  });

  it('rejects malformed statements', () => {
    const bad = [
      { ...VALID_STATEMENT, Effect: 'allow' },
      { ...VALID_STATEMENT, Action: 'Publish' },
      { ...VALID_STATEMENT, Action: [] },
      { ...VALID_STATEMENT, Resource: '' },
      { ...VALID_STATEMENT, Resource: [] },
    ];
    for (const Statement of bad) rejects({ Version: '2012-10-17', Statement });
    rejects({ Version: '2012-10-17', Statement: [] });
  });

  it('reports every problem of a document at once', () => {
    const err = rejects({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Maybe', Action: 'iot:Publish', Resource: '*' },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: '*', NotAction: 'iot:Connect' },
      ],
    });
    const list = problems(err);
    assert.ok(list.length >= 2, list.join('; '));
    assert.ok(
      list.some((p) => p.startsWith('Statement.0.Effect')),
      list.join('; '),
    );
    assert.ok(
      list.some((p) => p.startsWith('Statement.1')),
      list.join('; '),
    );
  });

  it('rejects a document larger than the AWS limit', () => {
    const resources = Array.from({ length: 600 }, (_, i) => `arn:aws:iot:*:*:topic/some/long/topic/name/${i}`);
    const big = { Version: '2012-10-17', Statement: { ...VALID_STATEMENT, Resource: resources } };
    assert.ok(JSON.stringify(big).length > MAX_POLICY_BYTES);
    const err = rejects(big);
    assert.match(err.message, /exceeds/);
  });
});

describe('asList', () => {
  it('turns a value, a list or nothing into a list', () => {
    assert.deepEqual(asList(undefined), []);
    assert.deepEqual(asList('a'), ['a']);
    assert.deepEqual(asList(['a', 'b']), ['a', 'b']);
  });
});
