import assert from 'node:assert/strict';
import {
  defaultDevicePolicy,
  type PolicyDocument,
  type PolicyStatement,
  parsePolicyDocument,
} from '../../../fleet/policy/policy-document.ts';
import { ConnectionAuthorizer, type ConnectionContext } from '../../../fleet/policy/policy-evaluator.ts';

const ARN = 'arn:aws:iot:local-1:000000000000';
const THING = '${iot:Connection.Thing.ThingName}';

/** A connection of thing `cart-1`, attached, in the fleet's default region and account. */
function ctx(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return {
    clientId: 'cart-1',
    attachedThingName: 'cart-1',
    thingTypeName: 'cart',
    thingAttributes: new Map([
      ['storeId', 'store-7'],
      ['hardwareModel', 'SC-200'],
    ]),
    certificateCommonName: 'cart-1',
    sourceIp: '10.0.0.5',
    region: 'local-1',
    accountId: '000000000000',
    ...overrides,
  };
}

/** Builds a document through the parser, so every policy used here is one the fleet would accept. */
function doc(...statements: PolicyStatement[]): PolicyDocument {
  return parsePolicyDocument({ Version: '2012-10-17', Statement: statements });
}

function authorizer(policies: PolicyDocument[], context: Partial<ConnectionContext> = {}): ConnectionAuthorizer {
  return new ConnectionAuthorizer(policies, ctx(context));
}

function allow(action: string | string[], resource: string | string[]): PolicyStatement {
  return { Effect: 'Allow', Action: action, Resource: resource };
}

function deny(action: string | string[], resource: string | string[]): PolicyStatement {
  return { Effect: 'Deny', Action: action, Resource: resource };
}

describe('policy evaluator', () => {
  describe('decisions', () => {
    it('denies everything by default', () => {
      const none = authorizer([]);
      assert.equal(none.canConnect(), false);
      assert.equal(none.canPublish('a'), false);
      assert.equal(none.canSubscribe('a'), false);
      assert.equal(none.canReceive('a'), false);
      // A policy that grants one action grants no other.
      const publishOnly = authorizer([doc(allow('iot:Publish', '*'))]);
      assert.equal(publishOnly.canPublish('a'), true);
      assert.equal(publishOnly.canConnect(), false);
      assert.equal(publishOnly.canSubscribe('a'), false);
      assert.equal(publishOnly.canReceive('a'), false);
    });

    it('allows exactly the resource an Allow names', () => {
      const a = authorizer([doc(allow('iot:Publish', `${ARN}:topic/store/1/lights`))]);
      assert.equal(a.canPublish('store/1/lights'), true);
      assert.equal(a.canPublish('store/1/light'), false);
      assert.equal(a.canPublish('store/1/lights/x'), false);
      assert.equal(a.canPublish('Store/1/lights'), false);
      assert.equal(a.canReceive('store/1/lights'), false);
    });

    it('lets an explicit Deny beat an Allow across documents, whatever their order', () => {
      const allowAll = doc(allow('iot:Publish', `${ARN}:topic/*`));
      const denySecret = doc(deny('iot:Publish', `${ARN}:topic/secret/*`));
      for (const policies of [
        [allowAll, denySecret],
        [denySecret, allowAll],
      ]) {
        const a = authorizer(policies);
        assert.equal(a.canPublish('public/x'), true);
        assert.equal(a.canPublish('secret/x'), false);
      }
      // Within one document too.
      const one = authorizer([
        doc(allow('iot:Publish', `${ARN}:topic/*`), deny('iot:Publish', `${ARN}:topic/secret/*`)),
      ]);
      assert.equal(one.canPublish('secret/x'), false);
      assert.equal(one.canPublish('public/x'), true);
    });

    it('matches `*` across topic levels and `?` as exactly one character', () => {
      const star = authorizer([doc(allow('iot:Publish', `${ARN}:topic/dt/*`))]);
      assert.equal(star.canPublish('dt/a'), true);
      assert.equal(star.canPublish('dt/a/b/c'), true);
      assert.equal(star.canPublish('dtx/a'), false);

      const q = authorizer([doc(allow('iot:Publish', `${ARN}:topic/some/sensor??/topic`))]);
      assert.equal(q.canPublish('some/sensor01/topic'), true);
      assert.equal(q.canPublish('some/sensor1/topic'), false);
      assert.equal(q.canPublish('some/sensor001/topic'), false);
    });

    it('treats MQTT `+` and `#` in topic filters as literal characters', () => {
      const literal = authorizer([doc(allow('iot:Subscribe', `${ARN}:topicfilter/a/+/b`))]);
      assert.equal(literal.canSubscribe('a/+/b'), true);
      assert.equal(literal.canSubscribe('a/x/b'), false);
      assert.equal(literal.canSubscribe('a/#'), false);

      const star = authorizer([doc(allow('iot:Subscribe', `${ARN}:topicfilter/a/*`))]);
      assert.equal(star.canSubscribe('a/+/b'), true);
      assert.equal(star.canSubscribe('a/#'), true);
      assert.equal(star.canSubscribe('b/+'), false);

      const hash = authorizer([doc(allow('iot:Publish', `${ARN}:topic/a/#`))]);
      assert.equal(hash.canPublish('a/b'), false);
      assert.equal(hash.canPublish('a/#'), true);
    });

    it('checks Subscribe against topicfilter resources and Publish/Receive against topic resources', () => {
      const a = authorizer([
        doc(
          allow('iot:Subscribe', `${ARN}:topic/a/*`),
          allow(['iot:Publish', 'iot:Receive'], `${ARN}:topicfilter/a/*`),
        ),
      ]);
      assert.equal(a.canSubscribe('a/x'), false);
      assert.equal(a.canPublish('a/x'), false);
      assert.equal(a.canReceive('a/x'), false);
    });

    it('grants every action with `iot:*`, and a Deny on `iot:*` removes every action', () => {
      const all = authorizer([doc(allow('iot:*', '*'))]);
      assert.equal(all.canConnect(), true);
      assert.equal(all.canPublish('x', true), true);
      assert.equal(all.canSubscribe('x/#'), true);
      assert.equal(all.canReceive('x'), true);

      const partial = authorizer([doc(allow('iot:*', '*'), deny('iot:*', `${ARN}:topic/x`))]);
      assert.equal(partial.canPublish('x'), false);
      assert.equal(partial.canReceive('x'), false);
      assert.equal(partial.canPublish('y'), true);
      assert.equal(partial.canSubscribe('x'), true, 'topicfilter/x is another resource than topic/x');
    });

    it('applies an action wildcard only to the actions it spells', () => {
      const a = authorizer([doc(allow('iot:Pub*', '*'))]);
      assert.equal(a.canPublish('x'), true);
      assert.equal(a.canSubscribe('x'), false);
      assert.equal(a.canConnect(), false);
    });

    it('applies NotResource to every resource except the listed ones', () => {
      const a = authorizer([
        doc(allow('iot:Subscribe', `${ARN}:topicfilter/a/*`), {
          Effect: 'Allow',
          Action: 'iot:Receive',
          NotResource: `${ARN}:topic/a/restricted/*`,
        }),
      ]);
      assert.equal(a.canSubscribe('a/#'), true);
      assert.equal(a.canReceive('a/open'), true);
      assert.equal(a.canReceive('a/restricted/x'), false);

      const d = authorizer([
        doc(allow('iot:Publish', '*'), { Effect: 'Deny', Action: 'iot:Publish', NotResource: `${ARN}:topic/ok/*` }),
      ]);
      assert.equal(d.canPublish('ok/1'), true);
      assert.equal(d.canPublish('other/1'), false);
    });

    it('requires iot:RetainPublish in addition to iot:Publish for a retained publish', () => {
      const publishOnly = authorizer([doc(allow('iot:Publish', `${ARN}:topic/a`))]);
      assert.equal(publishOnly.canPublish('a'), true);
      assert.equal(publishOnly.canPublish('a', true), false);

      const both = authorizer([doc(allow(['iot:Publish', 'iot:RetainPublish'], `${ARN}:topic/a`))]);
      assert.equal(both.canPublish('a', true), true);
      assert.equal(both.canPublish('b', true), false);

      const retainOnly = authorizer([doc(allow('iot:RetainPublish', `${ARN}:topic/a`))]);
      assert.equal(retainOnly.canPublish('a', true), false);
      assert.equal(retainOnly.canPublish('a'), false);
    });

    it('matches the region and account of the ARN, literally or by wildcard', () => {
      const cases: [string, boolean][] = [
        ['arn:aws:iot:*:*:topic/x', true],
        ['arn:aws:iot:local-1:000000000000:topic/x', true],
        ['arn:aws:iot:local-?:*:topic/x', true],
        ['arn:aws:iot:us-east-1:000000000000:topic/x', false],
        ['arn:aws:iot:local-1:123456789012:topic/x', false],
        ['arn:aws:iot:us-east-1:*:topic/x', false],
        ['topic/x', false],
      ];
      for (const [resource, expected] of cases) {
        const a = authorizer([doc(allow('iot:Publish', resource))]);
        assert.equal(a.canPublish('x'), expected, resource);
      }
      const elsewhere = authorizer([doc(allow('iot:Publish', 'arn:aws:iot:*:*:topic/x'))], {
        region: 'eu-west-1',
        accountId: '123456789012',
      });
      assert.equal(elsewhere.canPublish('x'), true);
      const pinned = authorizer([doc(allow('iot:Publish', `${ARN}:topic/x`))], { region: 'eu-west-1' });
      assert.equal(pinned.canPublish('x'), false);
    });
  });

  describe('policy variables', () => {
    const ownTopic = doc(allow('iot:Publish', `${ARN}:topic/things/${THING}/x`));

    it('resolves ${iot:Connection.Thing.ThingName} to the attached thing', () => {
      const a = authorizer([ownTopic]);
      assert.equal(a.canPublish('things/cart-1/x'), true);
      assert.equal(a.canPublish('things/cart-2/x'), false);
    });

    it('never lets an Allow match when the thing name cannot be resolved', () => {
      const a = authorizer([ownTopic], { attachedThingName: undefined });
      assert.equal(a.canPublish('things/cart-1/x'), false);
      assert.equal(a.canPublish('things//x'), false);
      assert.equal(a.canPublish(`things/${THING}/x`), false);
      // Another Allow in the same statement that resolves still applies.
      const mixed = authorizer([doc(allow('iot:Publish', [`${ARN}:topic/things/${THING}/x`, `${ARN}:topic/open`]))], {
        attachedThingName: undefined,
      });
      assert.equal(mixed.canPublish('open'), true);
      assert.equal(mixed.canPublish('things/cart-1/x'), false);
    });

    it('lets a Deny with an unresolved variable match everything it covers (fail-safe)', () => {
      const policies = [
        doc(allow('iot:Publish', `${ARN}:topic/*`), deny('iot:Publish', `${ARN}:topic/private/${THING}/*`)),
      ];
      const attached = authorizer(policies);
      assert.equal(attached.canPublish('public/x'), true);
      assert.equal(attached.canPublish('private/cart-1/x'), false);
      assert.equal(attached.canPublish('private/cart-2/x'), true);

      const unattached = authorizer(policies, { attachedThingName: undefined });
      assert.equal(unattached.canPublish('public/x'), false);
      assert.equal(unattached.canPublish('private/cart-2/x'), false);
      // The Deny covers iot:Publish only.
      const receive = authorizer([...policies, doc(allow('iot:Receive', '*'))], { attachedThingName: undefined });
      assert.equal(receive.canReceive('public/x'), true);
    });

    it('never lets an unresolved variable in NotResource open access', () => {
      const allowNot = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        NotResource: `${ARN}:topic/private/${THING}/*`,
      });
      assert.equal(authorizer([allowNot]).canPublish('public/x'), true);
      assert.equal(authorizer([allowNot]).canPublish('private/cart-1/x'), false);
      assert.equal(authorizer([allowNot], { attachedThingName: undefined }).canPublish('public/x'), false);

      const denyNot = doc(allow('iot:Publish', '*'), {
        Effect: 'Deny',
        Action: 'iot:Publish',
        NotResource: `${ARN}:topic/own/${THING}/*`,
      });
      assert.equal(authorizer([denyNot]).canPublish('own/cart-1/x'), true);
      assert.equal(authorizer([denyNot]).canPublish('other/x'), false);
      assert.equal(authorizer([denyNot], { attachedThingName: undefined }).canPublish('other/x'), false);
      assert.equal(authorizer([denyNot], { attachedThingName: undefined }).canPublish('own/cart-1/x'), false);
    });

    it('matches `*` and `?` inside a substituted client id literally', () => {
      const policy = doc(allow('iot:Publish', `${ARN}:topic/c/\${iot:ClientId}/x`));
      const star = authorizer([policy], { clientId: 'dev*', attachedThingName: undefined });
      assert.equal(star.canPublish('c/dev*/x'), true);
      assert.equal(star.canPublish('c/device/x'), false);
      assert.equal(star.canPublish('c/dev/y/x'), false);

      const question = authorizer([policy], { clientId: 'a?', attachedThingName: undefined });
      assert.equal(question.canPublish('c/a?/x'), true);
      assert.equal(question.canPublish('c/ab/x'), false);

      const connect = authorizer([doc(allow('iot:Connect', `${ARN}:client/\${iot:ClientId}`))], { clientId: '*' });
      assert.equal(connect.canConnect(), true);
    });

    it('matches the escapes $(*), $(?) and $($) as literal characters', () => {
      const a = authorizer([
        doc(allow('iot:Publish', [`${ARN}:topic/lit/$(*)`, `${ARN}:topic/q/$(?)`, `${ARN}:topic/d/$($)`])),
      ]);
      assert.equal(a.canPublish('lit/*'), true);
      assert.equal(a.canPublish('lit/abc'), false);
      assert.equal(a.canPublish('lit/'), false);
      assert.equal(a.canPublish('q/?'), true);
      assert.equal(a.canPublish('q/a'), false);
      assert.equal(a.canPublish('d/$'), true);
      assert.equal(a.canPublish('d/x'), false);
    });

    it('resolves the certificate common name and source ip variables', () => {
      const a = authorizer([
        doc(
          allow('iot:Publish', [
            `${ARN}:topic/cn/\${iot:Certificate.Subject.CommonName}`,
            `${ARN}:topic/ip/\${aws:SourceIp}`,
          ]),
        ),
      ]);
      assert.equal(a.canPublish('cn/cart-1'), true);
      assert.equal(a.canPublish('cn/cart-2'), false);
      assert.equal(a.canPublish('ip/10.0.0.5'), true);
      assert.equal(a.canPublish('ip/10.0.0.6'), false);
    });
  });

  describe('conditions', () => {
    it('evaluates Bool on iot:Connection.Thing.IsAttached', () => {
      const attachedOnly = doc({
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: `${ARN}:client/*`,
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      });
      assert.equal(authorizer([attachedOnly]).canConnect(), true);
      assert.equal(authorizer([attachedOnly], { attachedThingName: undefined }).canConnect(), false);

      const unattachedOnly = doc({
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: `${ARN}:client/*`,
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'false' } },
      });
      assert.equal(authorizer([unattachedOnly]).canConnect(), false);
      assert.equal(authorizer([unattachedOnly], { attachedThingName: undefined }).canConnect(), true);
    });

    it('evaluates StringEquals against any of the listed values', () => {
      const policy = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringEquals: { 'iot:Connection.Thing.ThingTypeName': ['cart', 'basket'] } },
      });
      assert.equal(authorizer([policy]).canPublish('x'), true);
      assert.equal(authorizer([policy], { thingTypeName: 'basket' }).canPublish('x'), true);
      assert.equal(authorizer([policy], { thingTypeName: 'speaker' }).canPublish('x'), false);
      assert.equal(authorizer([policy], { thingTypeName: 'Cart' }).canPublish('x'), false);
      // The thing type is only known for an attached thing.
      assert.equal(authorizer([policy], { attachedThingName: undefined }).canPublish('x'), false);
    });

    it('evaluates StringLike with IAM wildcards', () => {
      const policy = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringLike: { 'iot:Certificate.Subject.CommonName': 'cart-?' } },
      });
      assert.equal(authorizer([policy]).canPublish('x'), true);
      assert.equal(authorizer([policy], { certificateCommonName: 'cart-10' }).canPublish('x'), false);
      assert.equal(authorizer([policy], { certificateCommonName: 'speaker-1' }).canPublish('x'), false);
    });

    it('requires every condition of a statement to hold', () => {
      const policy = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: {
          StringEquals: { 'iot:ClientId': 'cart-1' },
          StringLike: { 'aws:SourceIp': '10.0.*' },
        },
      });
      assert.equal(authorizer([policy]).canPublish('x'), true);
      assert.equal(authorizer([policy], { sourceIp: '192.168.0.1' }).canPublish('x'), false);
      assert.equal(authorizer([policy], { clientId: 'cart-2' }).canPublish('x'), false);
    });

    it('applies a conditional Deny only where its condition holds', () => {
      const policies = [
        doc(allow('iot:Publish', '*'), {
          Effect: 'Deny',
          Action: 'iot:Publish',
          Resource: '*',
          Condition: { StringEquals: { 'iot:ClientId': 'rogue' } },
        }),
      ];
      assert.equal(authorizer(policies).canPublish('x'), true);
      assert.equal(authorizer(policies, { clientId: 'rogue' }).canPublish('x'), false);
    });
  });

  describe('variables in Condition values', () => {
    const ownClientId = (operator: 'StringEquals' | 'StringNotEquals', effect: 'Allow' | 'Deny' = 'Allow') =>
      doc(...(effect === 'Deny' ? [allow('iot:Publish', '*')] : []), {
        Effect: effect,
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { [operator]: { 'iot:ClientId': THING } },
      });

    it('substitutes ${iot:Connection.Thing.ThingName} in a StringEquals value', () => {
      assert.equal(authorizer([ownClientId('StringEquals')]).canPublish('x'), true);
      // An attached thing whose name is not the client id cannot happen on the broker; the variable decides here.
      assert.equal(authorizer([ownClientId('StringEquals')], { attachedThingName: 'cart-2' }).canPublish('x'), false);
    });

    it('matches a substituted value literally, not as a wildcard, in StringEquals and StringLike', () => {
      const like = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringLike: { 'iot:Certificate.Subject.CommonName': 'dev-${iot:ClientId}-*' } },
      });
      assert.equal(authorizer([like], { clientId: 'a', certificateCommonName: 'dev-a-7' }).canPublish('x'), true);
      assert.equal(authorizer([like], { clientId: 'a', certificateCommonName: 'dev-b-7' }).canPublish('x'), false);
      // The client id `*` is the character, not "anything".
      assert.equal(authorizer([like], { clientId: '*', certificateCommonName: 'dev-a-7' }).canPublish('x'), false);
      assert.equal(authorizer([like], { clientId: '*', certificateCommonName: 'dev-*-7' }).canPublish('x'), true);

      const equals = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringEquals: { 'iot:Certificate.Subject.CommonName': 'dev-*' } },
      });
      assert.equal(authorizer([equals], { certificateCommonName: 'dev-a' }).canPublish('x'), false);
      assert.equal(authorizer([equals], { certificateCommonName: 'dev-*' }).canPublish('x'), true);
    });

    it('never lets an Allow hold on a value whose variable cannot be resolved, whatever the operator', () => {
      const unattached = { attachedThingName: undefined };
      assert.equal(authorizer([ownClientId('StringEquals')], unattached).canPublish('x'), false);
      // "Not equal to an unknown value" would grant to every connection without a thing.
      assert.equal(authorizer([ownClientId('StringNotEquals')], unattached).canPublish('x'), false);
      // Positive control: resolved, StringNotEquals decides by the value.
      assert.equal(authorizer([ownClientId('StringNotEquals')]).canPublish('x'), false);
      assert.equal(authorizer([ownClientId('StringNotEquals')], { attachedThingName: 'cart-2' }).canPublish('x'), true);
      // Another value of the same key that resolves still matches (values are OR-ed).
      const either = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringEquals: { 'iot:ClientId': [THING, 'cart-1'] } },
      });
      assert.equal(authorizer([either], unattached).canPublish('x'), true);
    });

    it('lets a Deny hold when a variable of its condition cannot be resolved (fail-safe)', () => {
      const denyOthers = ownClientId('StringNotEquals', 'Deny');
      assert.equal(authorizer([denyOthers]).canPublish('x'), true);
      assert.equal(authorizer([denyOthers], { clientId: 'cart-9' }).canPublish('x'), false);
      assert.equal(authorizer([denyOthers], { attachedThingName: undefined }).canPublish('x'), false);
      const denySelf = ownClientId('StringEquals', 'Deny');
      assert.equal(authorizer([denySelf], { attachedThingName: 'cart-2' }).canPublish('x'), true);
      assert.equal(authorizer([denySelf], { attachedThingName: undefined }).canPublish('x'), false);
    });
  });

  describe('thing attributes (iot:Connection.Thing.Attributes[name])', () => {
    const STORE = '${iot:Connection.Thing.Attributes[storeId]}';

    it('resolves an attribute of the attached thing in a resource', () => {
      const a = authorizer([doc(allow('iot:Subscribe', `${ARN}:topicfilter/stores/${STORE}/news`))]);
      assert.equal(a.canSubscribe('stores/store-7/news'), true);
      assert.equal(a.canSubscribe('stores/store-8/news'), false);
      assert.equal(a.canSubscribe(`stores/${STORE}/news`), false);
    });

    it('never resolves an attribute the thing does not have, or any attribute without an attached thing', () => {
      const zone = doc(allow('iot:Publish', `${ARN}:topic/zones/\${iot:Connection.Thing.Attributes[zoneId]}`));
      assert.equal(authorizer([zone]).canPublish('zones/'), false);
      assert.equal(authorizer([zone]).canPublish('zones/undefined'), false);
      assert.equal(
        authorizer([zone], { thingAttributes: new Map([['zoneId', 'dock']]) }).canPublish('zones/dock'),
        true,
      );

      const store = doc(allow('iot:Publish', `${ARN}:topic/stores/${STORE}`));
      assert.equal(authorizer([store]).canPublish('stores/store-7'), true);
      assert.equal(authorizer([store], { attachedThingName: undefined }).canPublish('stores/store-7'), false);
    });

    it('finds nothing for names every object has (`constructor`, `__proto__`)', () => {
      for (const name of ['constructor', '__proto__', 'toString']) {
        const a = authorizer([
          doc(allow('iot:Publish', `${ARN}:topic/a/\${iot:Connection.Thing.Attributes[${name}]}`)),
        ]);
        assert.equal(a.canPublish('a/'), false, name);
        assert.equal(a.canPublish('a/[object Object]'), false, name);
        assert.equal(a.canPublish(`a/${String(({} as Record<string, unknown>)[name])}`), false, name);
      }
    });

    it('evaluates an attribute as a condition key, absent when the thing does not have it', () => {
      const inStore = (operator: 'StringEquals' | 'StringNotEquals', attribute = 'storeId') =>
        doc({
          Effect: 'Allow',
          Action: 'iot:Publish',
          Resource: '*',
          Condition: { [operator]: { [`iot:Connection.Thing.Attributes[${attribute}]`]: 'store-7' } },
        });
      assert.equal(authorizer([inStore('StringEquals')]).canPublish('x'), true);
      assert.equal(
        authorizer([inStore('StringEquals')], { thingAttributes: new Map([['storeId', 'store-8']]) }).canPublish('x'),
        false,
      );
      assert.equal(authorizer([inStore('StringEquals')], { thingAttributes: new Map() }).canPublish('x'), false);
      assert.equal(authorizer([inStore('StringEquals')], { attachedThingName: undefined }).canPublish('x'), false);
      assert.equal(authorizer([inStore('StringNotEquals')]).canPublish('x'), false);
      // Stricter than IAM: a negated operator on an attribute the thing lacks (or with no thing attached) grants
      // nothing, so "not in zone X" cannot open to every device without a zone ...
      assert.equal(authorizer([inStore('StringNotEquals', 'zoneId')]).canPublish('x'), false);
      assert.equal(authorizer([inStore('StringNotEquals')], { attachedThingName: undefined }).canPublish('x'), false);
      // ... while a thing that has the attribute, with another value, is granted (positive control).
      assert.equal(
        authorizer([inStore('StringNotEquals', 'zoneId')], {
          thingAttributes: new Map([
            ['storeId', 'store-7'],
            ['zoneId', 'zone-2'],
          ]),
        }).canPublish('x'),
        true,
      );
      // A Deny's condition on an absent attribute holds.
      const denyOutsideZone = doc(allow('iot:Publish', '*'), {
        Effect: 'Deny',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringNotEquals: { 'iot:Connection.Thing.Attributes[zoneId]': 'zone-2' } },
      });
      assert.equal(authorizer([denyOutsideZone]).canPublish('x'), false);
    });

    it('compares an attribute with another variable in a condition value', () => {
      const ownStoreCn = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringLike: { 'iot:Certificate.Subject.CommonName': `${STORE}/*` } },
      });
      assert.equal(authorizer([ownStoreCn], { certificateCommonName: 'store-7/cart-1' }).canPublish('x'), true);
      assert.equal(authorizer([ownStoreCn], { certificateCommonName: 'store-8/cart-1' }).canPublish('x'), false);
      assert.equal(authorizer([ownStoreCn], { thingAttributes: new Map() }).canPublish('x'), false);
    });

    it('refuses a condition key naming an attribute the registry does not have', () => {
      assert.throws(
        () =>
          doc({
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: '*',
            Condition: { StringNotEquals: { 'iot:Connection.Thing.Attributes[stor]': 'store-7' } },
          }),
        (err: { code?: string; details?: string[] }) =>
          err.code === 'POLICY_INVALID' &&
          err.details?.some((d) => d.includes('Attributes[stor]') && d.includes('not a condition key')) === true,
      );
      assert.throws(
        () =>
          doc({
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: '*',
            Condition: { StringEquals: { 'iot:Connection.Thing.Name': 'x' } },
          }),
        (err: { code?: string }) => err.code === 'POLICY_INVALID',
      );
    });
  });

  describe('defaultDevicePolicy()', () => {
    const policy = defaultDevicePolicy();

    it('is a valid policy document', () => {
      assert.deepEqual(parsePolicyDocument(policy), policy);
    });

    it('lets a thing connect only with its own name as client id, and only while attached', () => {
      assert.equal(authorizer([policy]).canConnect(), true);
      assert.equal(authorizer([policy], { clientId: 'cart-2', attachedThingName: undefined }).canConnect(), false);
      assert.equal(authorizer([policy], { clientId: 'cart-2' }).canConnect(), false);
      assert.equal(authorizer([policy], { attachedThingName: undefined }).canConnect(), false);
    });

    it('lets a thing publish its own shadow, jobs, data and command responses, and nobody else’s', () => {
      const a = authorizer([policy]);
      for (const topic of [
        '$aws/things/cart-1/shadow/update',
        '$aws/things/cart-1/shadow/get',
        '$aws/things/cart-1/shadow/name/config/update',
        '$aws/things/cart-1/jobs/get',
        'dt/cartfleet/cart-1/telemetry',
        'dt/cartfleet/cart-1/health',
        'cmd/cartfleet/cart-1/locate/res',
      ]) {
        assert.equal(a.canPublish(topic), true, topic);
      }
      for (const topic of [
        '$aws/things/cart-2/shadow/update',
        '$aws/things/cart-10/shadow/update',
        '$aws/things/cart-1/other',
        'dt/cartfleet/cart-2/telemetry',
        'dt/other/cart-1/telemetry',
        'cmd/cartfleet/cart-1/locate',
        'cmd/cartfleet/cart-2/locate/res',
        '$aws/events/presence/connected/cart-1',
      ]) {
        assert.equal(a.canPublish(topic), false, topic);
      }
      assert.equal(a.canPublish('$aws/things/cart-1/shadow/update', true), false, 'no retained publishes');
    });

    it('lets a thing subscribe to its own filters but not to other things’', () => {
      const a = authorizer([policy]);
      for (const filter of [
        '$aws/things/cart-1/shadow/update/delta',
        '$aws/things/cart-1/shadow/name/+/update/delta',
        '$aws/things/cart-1/shadow/#',
        '$aws/things/cart-1/jobs/notify',
        'cmd/cartfleet/cart-1/+',
      ]) {
        assert.equal(a.canSubscribe(filter), true, filter);
      }
      for (const filter of [
        '$aws/things/+/shadow/update/delta',
        '$aws/things/#',
        '$aws/things/cart-2/shadow/update/delta',
        'cmd/cartfleet/+/+',
        'dt/cartfleet/cart-1/telemetry',
        '#',
      ]) {
        assert.equal(a.canSubscribe(filter), false, filter);
      }
    });

    it('lets a thing receive its own topics but not other things’', () => {
      const a = authorizer([policy]);
      for (const topic of [
        '$aws/things/cart-1/shadow/update/delta',
        '$aws/things/cart-1/shadow/name/config/update/accepted',
        '$aws/things/cart-1/jobs/notify',
        'cmd/cartfleet/cart-1/locate',
      ]) {
        assert.equal(a.canReceive(topic), true, topic);
      }
      for (const topic of [
        '$aws/things/cart-2/shadow/update/delta',
        'cmd/cartfleet/cart-2/locate',
        'dt/cartfleet/cart-2/telemetry',
        '$aws/events/presence/connected/cart-2',
      ]) {
        assert.equal(a.canReceive(topic), false, topic);
      }
    });

    it('grants nothing to a connection without an attached thing', () => {
      const a = authorizer([policy], { attachedThingName: undefined });
      assert.equal(a.canPublish('$aws/things/cart-1/shadow/update'), false);
      assert.equal(a.canSubscribe('$aws/things/cart-1/shadow/update/delta'), false);
      assert.equal(a.canReceive('$aws/things/cart-1/shadow/update/delta'), false);
    });
  });

  describe('IAM globs', () => {
    it('read regular expression characters literally, in resources and in StringLike', () => {
      const resource = authorizer([doc(allow('iot:Publish', `${ARN}:topic/a.b(c)[d]+e$`))]);
      assert.equal(resource.canPublish('a.b(c)[d]+e$'), true);
      assert.equal(resource.canPublish('aXb(c)[d]+e$'), false);
      const like = doc({
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: '*',
        Condition: { StringLike: { 'iot:ClientId': 'a.b(c)[d]+e$*' } },
      });
      assert.equal(authorizer([like], { clientId: 'a.b(c)[d]+e$1' }).canPublish('x'), true);
      assert.equal(authorizer([like], { clientId: 'aXb(c)[d]+e$1' }).canPublish('x'), false);
    });

    it('let `*` span newlines too', () => {
      const a = authorizer([doc(allow('iot:Publish', `${ARN}:topic/a*`))]);
      assert.equal(a.canPublish('a\nb'), true);
    });
  });
});

describe('policy evaluation against crafted identities and actions', () => {
  it('matches a substituted client id literally, whatever characters it holds', () => {
    const policy = doc(allow('iot:Publish', `${ARN}:topic/dt/cartfleet/\${iot:ClientId}/*`));
    for (const clientId of ['cart\u0000-1', 'cart*', 'cart?1', 'cart\\', 'cart.1']) {
      const a = authorizer([policy], { clientId });
      assert.equal(a.canPublish('dt/cartfleet/cart-1/telemetry'), false, JSON.stringify(clientId));
      assert.equal(a.canPublish(`dt/cartfleet/${clientId}/telemetry`), true, JSON.stringify(clientId));
    }
  });

  it('treats action names case-insensitively, as IAM does', () => {
    const a = authorizer([doc(allow('iot:*', `${ARN}:topic/*`), deny('iot:publish', `${ARN}:topic/secret/*`))]);
    assert.equal(a.canPublish('secret/a'), false);
    assert.equal(a.canPublish('open/a'), true);
  });

  it('rejects actions this broker does not know instead of ignoring them', () => {
    assert.throws(
      () => parsePolicyDocument(doc(deny('iot:Publsh', `${ARN}:topic/*`))),
      (err: { code?: string }) => err.code === 'POLICY_INVALID',
    );
    assert.doesNotThrow(() => parsePolicyDocument(doc(allow(['iot:Pub*', 'iot:receive'], `${ARN}:topic/*`))));
  });
});
