import assert from 'node:assert/strict';
import {
  APP,
  commandTopics,
  DATA_STREAMS,
  dataTopics,
  isProvisioningRequestTopic,
  lifecycleTopics,
  PROVISIONING_FORMATS,
  parseCommandTopic,
  parseDataTopic,
  parseProvisioningTopic,
  parseShadowTopic,
  provisioningTopics,
  type ShadowOperation,
  shadowTopics,
} from '../../protocol/topics.ts';

/** Names a thing may have, edges included: one character, 128, and every allowed punctuation. */
const THING_NAMES = ['a', 'cart-001', 'spk_9', 'A:b_c-D', '0', 'x'.repeat(128), 'provision-1'];

/**
 * What a hostile client or a careless caller puts where a name goes: wildcards, separators, empty and dot levels,
 * control characters, unicode and look-alikes, a leading $, over-long names. None of them is a thing name, so a topic
 * carrying one must not parse, and above all must not parse as some other thing's topic.
 */
const HOSTILE_NAMES = [
  '',
  '+',
  '#',
  'cart-1/+',
  'cart-1/#',
  'cart-1/../cart-2',
  '..',
  '.',
  'cart-1/',
  '/cart-1',
  'cart 1',
  'cart-1\u0000',
  '\u0000',
  'cart-1\n',
  'c\u0430rt-1',
  '小车',
  'cart\u200b1',
  '$aws',
  '$SYS',
  'x'.repeat(129),
  'x'.repeat(100_000),
];

const OPERATIONS: ShadowOperation[] = ['get', 'update', 'delete'];

describe('topic builders and parsers (protocol/topics.ts)', () => {
  describe('device shadow: $aws/things/{thing}/shadow[/name/{shadow}]/{operation}[/{response}]', () => {
    it('parses what it builds, for every operation, response, classic and named shadow', () => {
      for (const thingName of THING_NAMES) {
        for (const shadowName of [undefined, 'config', '$package', 'a', 'n'.repeat(64)]) {
          for (const operation of OPERATIONS) {
            assert.deepEqual(parseShadowTopic(shadowTopics.request(thingName, operation, shadowName)), {
              thingName,
              shadowName,
              operation,
              response: undefined,
            });
            const responses =
              operation === 'update' ? ['accepted', 'rejected', 'delta', 'documents'] : ['accepted', 'rejected'];
            for (const response of responses as ('accepted' | 'rejected' | 'delta' | 'documents')[]) {
              assert.deepEqual(parseShadowTopic(shadowTopics.response(thingName, operation, response, shadowName)), {
                thingName,
                shadowName,
                operation,
                response,
              });
            }
          }
        }
      }
      assert.equal(shadowTopics.request('cart-1', 'get'), '$aws/things/cart-1/shadow/get');
      assert.equal(
        shadowTopics.response('cart-1', 'update', 'delta', 'config'),
        '$aws/things/cart-1/shadow/name/config/update/delta',
      );
    });

    it('refuses a hostile thing or shadow name, and never reads it as another thing', () => {
      for (const name of HOSTILE_NAMES) {
        assert.equal(
          parseShadowTopic(shadowTopics.request(name, 'update')),
          undefined,
          JSON.stringify(name.slice(0, 40)),
        );
        assert.equal(parseShadowTopic(shadowTopics.response(name, 'get', 'accepted')), undefined);
        // AWS allows $ in shadow names ([$a-zA-Z0-9:_-]+): '$aws' is a shadow name, one level below the thing's.
        if (!/^\$[a-zA-Z]+$/.test(name))
          assert.equal(parseShadowTopic(shadowTopics.request('cart-1', 'update', name)), undefined, 'as shadow name');
      }
      assert.deepEqual(parseShadowTopic(shadowTopics.request('cart-1', 'update', '$aws')), {
        thingName: 'cart-1',
        shadowName: '$aws',
        operation: 'update',
        response: undefined,
      });
      assert.equal(parseShadowTopic(shadowTopics.request('cart-1', 'get', 'n'.repeat(65))), undefined);
    });

    it('refuses what is not a shadow topic of AWS', () => {
      for (const topic of [
        '$aws/things/cart-1/shadow',
        '$aws/things/cart-1/shadow/',
        '$aws/things/cart-1/shadow/GET',
        '$aws/things/cart-1/shadow/list',
        '$aws/things/cart-1/shadow/get/delta',
        '$aws/things/cart-1/shadow/delete/documents',
        '$aws/things/cart-1/shadow/update/accepted/extra',
        '$aws/things/cart-1/shadow/update/unknown',
        '$aws/things/cart-1/shadow/name/config',
        '$aws/things/cart-1/shadow/name//get',
        '$aws/things/cart-1/shadow/name/config/name/other/get',
        '$AWS/things/cart-1/shadow/get',
        'aws/things/cart-1/shadow/get',
        '/$aws/things/cart-1/shadow/get',
        '$aws/things/cart-1/jobs/get',
        '$aws/thing/cart-1/shadow/get',
        '$aws/things//shadow/get',
        '$aws/things/+/shadow/get',
        '$aws/things/#',
        '',
      ]) {
        assert.equal(parseShadowTopic(topic), undefined, topic);
      }
    });
  });

  describe('device data: dt/cartfleet/{thing}/{stream}', () => {
    it('parses what it builds, for every stream', () => {
      for (const thingName of THING_NAMES) {
        for (const stream of DATA_STREAMS) {
          const topic = dataTopics.publish(thingName, stream);
          assert.ok(topic.startsWith(dataTopics.prefix()));
          assert.deepEqual(parseDataTopic(topic), { thingName, stream });
        }
      }
      assert.equal(dataTopics.publish('cart-1', 'telemetry'), `dt/${APP}/cart-1/telemetry`);
    });

    it('refuses a hostile thing name, an unknown stream and any other shape', () => {
      for (const name of HOSTILE_NAMES) {
        assert.equal(
          parseDataTopic(dataTopics.publish(name, 'telemetry')),
          undefined,
          JSON.stringify(name.slice(0, 40)),
        );
      }
      for (const topic of [
        'dt/cartfleet/cart-1',
        'dt/cartfleet/cart-1/',
        'dt/cartfleet/cart-1/bogus',
        'dt/cartfleet/cart-1/Telemetry',
        'dt/cartfleet/cart-1/telemetry/',
        'dt/cartfleet/cart-1/telemetry/extra',
        'dt/cartfleet/cart-1/+',
        'dt/cartfleet/+/telemetry',
        'dt/CartFleet/cart-1/telemetry',
        'dt/other/cart-1/telemetry',
        'DT/cartfleet/cart-1/telemetry',
        '/dt/cartfleet/cart-1/telemetry',
        'dt//cart-1/telemetry',
        // A stream name inherited from Object.prototype is not a stream.
        'dt/cartfleet/cart-1/constructor',
        'dt/cartfleet/cart-1/__proto__',
        '',
      ]) {
        assert.equal(parseDataTopic(topic), undefined, topic);
      }
    });
  });

  describe('commands: cmd/cartfleet/{thing}/{command}[/res]', () => {
    it('parses what it builds, request and answer', () => {
      for (const thingName of THING_NAMES) {
        for (const command of ['locate', 'reboot', 'logs', 'diagnostics', 'a', `a${'-'.repeat(63)}`]) {
          assert.deepEqual(parseCommandTopic(commandTopics.request(thingName, command)), {
            thingName,
            command,
            response: false,
          });
          assert.deepEqual(parseCommandTopic(commandTopics.response(thingName, command)), {
            thingName,
            command,
            response: true,
          });
        }
      }
    });

    it('refuses a hostile thing or command name: an answer can never be read as another thing’s', () => {
      for (const name of HOSTILE_NAMES) {
        assert.equal(
          parseCommandTopic(commandTopics.request(name, 'locate')),
          undefined,
          JSON.stringify(name.slice(0, 40)),
        );
        assert.equal(parseCommandTopic(commandTopics.response(name, 'locate')), undefined);
        assert.equal(parseCommandTopic(commandTopics.response('cart-1', name)), undefined, 'as command name');
      }
      for (const command of ['Locate', '1locate', 'loc_ate', 'loc.ate', `a${'b'.repeat(64)}`, 'res']) {
        // `res` is a valid command name on its own; as a 4th level it is a command, as a 5th the answer marker.
        const parsed = parseCommandTopic(commandTopics.request('cart-1', command));
        if (command === 'res') assert.deepEqual(parsed, { thingName: 'cart-1', command: 'res', response: false });
        else assert.equal(parsed, undefined, command);
      }
      for (const topic of [
        'cmd/cartfleet/cart-1',
        'cmd/cartfleet/cart-1/locate/res/res',
        'cmd/cartfleet/cart-1/locate/answer',
        'cmd/cartfleet/cart-1/locate/RES',
        'cmd/cartfleet/cart-1/locate/',
        'cmd/cartfleet/cart-1/+/res',
        'cmd/cartfleet/+/locate/res',
        'cmd/other/cart-1/locate',
        'cmd//cart-1/locate',
        '',
      ]) {
        assert.equal(parseCommandTopic(topic), undefined, topic);
      }
    });
  });

  describe('fleet provisioning: $aws/certificates/create[-from-csr]/{format}, $aws/provisioning-templates/{t}/provision/{format}', () => {
    it('parses what it builds, every operation, format and answer', () => {
      for (const format of PROVISIONING_FORMATS) {
        for (const response of [undefined, 'accepted', 'rejected'] as const) {
          assert.deepEqual(parseProvisioningTopic(provisioningTopics.createKeysAndCertificate(format, response)), {
            operation: 'CreateKeysAndCertificate',
            templateName: undefined,
            format,
            response,
          });
          assert.deepEqual(parseProvisioningTopic(provisioningTopics.createCertificateFromCsr(format, response)), {
            operation: 'CreateCertificateFromCsr',
            templateName: undefined,
            format,
            response,
          });
          for (const templateName of ['cart-default', 'a', 'T_1', 'x'.repeat(36)]) {
            const topic = provisioningTopics.registerThing(templateName, format, response);
            const parsed = parseProvisioningTopic(topic);
            assert.deepEqual(parsed, { operation: 'RegisterThing', templateName, format, response });
            assert.equal(
              provisioningTopics.responseTo(parsed!, 'accepted'),
              provisioningTopics.registerThing(templateName, format, 'accepted'),
            );
            assert.equal(isProvisioningRequestTopic(topic), response === undefined);
          }
        }
      }
    });

    it('refuses a hostile template name and every near miss', () => {
      for (const name of [...HOSTILE_NAMES, 'x'.repeat(37), 'a:b', 'a.b']) {
        const topic = provisioningTopics.registerThing(name, 'json');
        assert.equal(parseProvisioningTopic(topic), undefined, JSON.stringify(name.slice(0, 40)));
        assert.equal(isProvisioningRequestTopic(topic), false);
      }
      for (const topic of [
        '$aws/certificates/create',
        '$aws/certificates/create/',
        '$aws/certificates/create/xml',
        '$aws/certificates/create/JSON',
        '$aws/certificates/created/json',
        '$aws/certificates/create-from-csr',
        '$aws/certificates/create/json/accepted/extra',
        '$aws/certificates/create/json/pending',
        '$aws/certificates/create/+',
        '$aws/certificates/create/#',
        '$aws/provisioning-templates/cart-default/provision',
        '$aws/provisioning-templates/cart-default/provisioning/json',
        '$aws/provisioning-templates//provision/json',
        '$aws/provisioning-templates/+/provision/json',
        '$aws/certificates',
        'aws/certificates/create/json',
        '',
      ]) {
        assert.equal(parseProvisioningTopic(topic), undefined, topic);
        assert.equal(isProvisioningRequestTopic(topic), false, topic);
      }
    });
  });

  describe('lifecycle events: $aws/events/{presence|subscriptions}/{eventType}/{clientId}', () => {
    it('puts the client id in the last level (hostile client ids: broker-topics.test.ts)', () => {
      assert.equal(lifecycleTopics.presence('connected', 'cart-1'), '$aws/events/presence/connected/cart-1');
      assert.equal(
        lifecycleTopics.presence('connect_failed', 'provision-SN1'),
        '$aws/events/presence/connect_failed/provision-SN1',
      );
      assert.equal(lifecycleTopics.subscription('subscribed', 'cart-1'), '$aws/events/subscriptions/subscribed/cart-1');
      assert.equal(lifecycleTopics.presenceFilter(), '$aws/events/presence/+/+');
      assert.equal(lifecycleTopics.subscriptionFilter(), '$aws/events/subscriptions/+/+');
    });
  });
});
