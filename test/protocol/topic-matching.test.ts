import assert from 'node:assert/strict';
import {
  commandTopics,
  dataTopics,
  lifecycleTopics,
  mqttTopicMatches,
  provisioningTopics,
  shadowTopics,
} from '../../protocol/topics.ts';

/**
 * mqttTopicMatches decides which subscription gets a message: on the broker, which claim connection receives a
 * provisioning answer; on a device, which handler sees a command. A match too many hands one device's messages to
 * another, so the rules of [MQTT-4.7] are checked here one by one, then against hostile topics.
 */
function matches(filter: string, topics: string[]): void {
  for (const topic of topics) assert.equal(mqttTopicMatches(filter, topic), true, `${filter} should match ${topic}`);
}
/** A lifecycle topic built for a client id that can stand in a topic level (the builders return undefined otherwise). */
function lifecycleTopic(topic: string | undefined): string {
  assert.ok(topic, 'a lifecycle topic for a valid client id');
  return topic;
}
function misses(filter: string, topics: string[]): void {
  for (const topic of topics) assert.equal(mqttTopicMatches(filter, topic), false, `${filter} must not match ${topic}`);
}

describe('MQTT topic filter matching (protocol/topics.ts)', () => {
  describe('[MQTT-4.7] as the specification states it', () => {
    it('without wildcards, matches the same topic only: level by level, case-sensitive, no normalisation', () => {
      matches('sport/tennis/player1', ['sport/tennis/player1']);
      misses('sport/tennis/player1', [
        'Sport/tennis/player1',
        'sport/tennis/player10',
        'sport/tennis/player',
        'sport/tennis/player1/',
        '/sport/tennis/player1',
        'sport/tennis',
        'sport/tennis/player1/ranking',
        'sport//tennis/player1',
      ]);
    });

    it('# matches the parent level and any number of levels below it [MQTT-4.7.1-2]', () => {
      matches('sport/tennis/player1/#', [
        'sport/tennis/player1',
        'sport/tennis/player1/ranking',
        'sport/tennis/player1/score/wimbledon',
        'sport/tennis/player1/',
      ]);
      misses('sport/tennis/player1/#', ['sport/tennis/player10', 'sport/tennis/player10/ranking', 'sport/tennis']);
      matches('sport/#', ['sport']);
      matches('#', ['sport', 'sport/tennis', '/', 'a/b/c/d/e']);
    });

    it('+ matches exactly one level, an empty one too, and never crosses a separator [MQTT-4.7.1-3]', () => {
      matches('sport/tennis/+', ['sport/tennis/player1', 'sport/tennis/player2', 'sport/tennis/']);
      misses('sport/tennis/+', ['sport/tennis/player1/ranking', 'sport/tennis']);
      misses('sport/+', ['sport']);
      matches('sport/+', ['sport/']);
      matches('+/+', ['/finance']);
      matches('/+', ['/finance']);
      misses('+', ['/finance']);
      matches('+/tennis/#', ['sport/tennis', 'sport/tennis/player1']);
      misses('+/tennis/#', ['sport/golf/player1']);
    });

    it('a filter starting with a wildcard never matches a topic starting with $ [MQTT-4.7.2-1]', () => {
      misses('#', ['$SYS/broker/clients', '$aws/things/cart-1/shadow/update/delta']);
      misses('+/monitor/Clients', ['$SYS/monitor/Clients']);
      misses('+/things/cart-1/shadow/get', ['$aws/things/cart-1/shadow/get']);
      matches('$SYS/#', ['$SYS/broker/clients']);
      matches('$SYS/monitor/+', ['$SYS/monitor/Clients']);
      matches('$aws/things/+/shadow/get', ['$aws/things/cart-1/shadow/get']);
    });
  });

  describe('hostile topics', () => {
    it("a thing name that is a prefix of another's gets none of the other's messages", () => {
      misses(commandTopics.deviceFilter('cart-1'), [
        commandTopics.request('cart-10', 'locate'),
        commandTopics.request('cart-1-x', 'locate'),
        commandTopics.request('cart-1:', 'locate'),
      ]);
      misses('$aws/things/cart-1/shadow/#', [
        shadowTopics.response('cart-10', 'update', 'delta'),
        shadowTopics.response('cart-1_a', 'get', 'accepted'),
      ]);
      misses(`${provisioningTopics.registerThing('cart', 'json')}/+`, [
        provisioningTopics.registerThing('cart-default', 'json', 'accepted'),
      ]);
      misses('$aws/certificates/create/#', [provisioningTopics.createCertificateFromCsr('json', 'accepted')]);
    });

    it('wildcard characters in a topic name are plain characters to a filter without wildcards', () => {
      // A PUBLISH to a name with + or # is a protocol error [MQTT-3.3.2-2] the broker refuses; should one get this far,
      // it matches nothing but a filter that would have taken any name at that level anyway.
      misses('cmd/cartfleet/cart-1/locate', ['cmd/cartfleet/+/locate', 'cmd/cartfleet/#']);
      misses(commandTopics.deviceFilter('cart-1'), ['cmd/cartfleet/+/locate', 'cmd/cartfleet/#/locate']);
      matches(commandTopics.responseFilter(), ['cmd/cartfleet/+/+/res']);
    });

    it("empty levels, '..', NUL, unicode and look-alike characters are compared as they are", () => {
      misses(commandTopics.deviceFilter('cart-1'), [
        'cmd/cartfleet/cart-1//locate',
        'cmd/cartfleet//cart-1/locate',
        'cmd/cartfleet/cart-1/../cart-2/locate',
        'cmd/cartfleet/cart-1\u0000/locate',
        'cmd/cartfleet/c\u0430rt-1/locate', // Cyrillic a
        'cmd/cartfleet/cart\u20111/locate', // non-breaking hyphen
        'cmd/cartfleet/CART-1/locate',
      ]);
      matches(commandTopics.deviceFilter('cart-1'), ['cmd/cartfleet/cart-1/']);
      // '..' is a level like any other: it climbs nowhere.
      misses('dt/cartfleet/cart-2/#', ['dt/cartfleet/cart-1/../cart-2/telemetry']);
      matches('dt/cartfleet/小车/+', ['dt/cartfleet/小车/telemetry']);
      misses('dt/cartfleet/小车/+', ['dt/cartfleet/小/telemetry']);
    });

    it('very long topics and filters take no shortcut', () => {
      const long = `dt/cartfleet/${'a'.repeat(65_000)}/telemetry`;
      matches('dt/cartfleet/+/telemetry', [long]);
      misses(`dt/cartfleet/${'a'.repeat(64_999)}/+`, [long]);
      const deep = Array.from({ length: 10_000 }, () => 'x').join('/');
      matches('#', [deep]);
      matches('x/#', [deep]);
      misses(`${deep}/y`, [deep]);
    });
  });

  describe("the fleet's own filters", () => {
    it("a device's command filter takes its own requests, not its answers, not another's", () => {
      const filter = commandTopics.deviceFilter('cart-1');
      matches(filter, [commandTopics.request('cart-1', 'locate'), commandTopics.request('cart-1', 'reboot')]);
      misses(filter, [commandTopics.response('cart-1', 'locate'), commandTopics.request('cart-2', 'locate')]);
    });

    it("the fleet's answer filter takes every device's answers and no request", () => {
      const filter = commandTopics.responseFilter();
      matches(filter, [commandTopics.response('cart-1', 'locate'), commandTopics.response('spk-9', 'logs')]);
      misses(filter, [commandTopics.request('cart-1', 'locate'), 'cmd/cartfleet/cart-1/locate/res/x']);
    });

    it('the shadow service takes requests of every thing and never its own answers', () => {
      const filters = shadowTopics.requestFilters();
      const taken = (topic: string) => filters.some((f) => mqttTopicMatches(f, topic));
      for (const operation of ['get', 'update', 'delete'] as const) {
        assert.ok(taken(shadowTopics.request('cart-1', operation)), operation);
        assert.ok(taken(shadowTopics.request('cart-1', operation, 'config')), `named ${operation}`);
        for (const response of ['accepted', 'rejected'] as const) {
          assert.equal(taken(shadowTopics.response('cart-1', operation, response)), false, `${operation}/${response}`);
          assert.equal(taken(shadowTopics.response('cart-1', operation, response, 'config')), false);
        }
      }
      assert.equal(taken(shadowTopics.response('cart-1', 'update', 'delta')), false);
      assert.equal(taken(shadowTopics.response('cart-1', 'update', 'documents', 'config')), false);
    });

    it('the data filter takes device data only, and the lifecycle filters their own events only', () => {
      matches(dataTopics.filter(), [dataTopics.publish('cart-1', 'telemetry'), dataTopics.publish('spk-1', 'status')]);
      misses(dataTopics.filter(), [commandTopics.request('cart-1', 'locate'), 'dt/other-app/cart-1/telemetry']);
      assert.ok(dataTopics.publish('cart-1', 'events').startsWith(dataTopics.prefix()));
      matches(lifecycleTopics.presenceFilter(), [
        lifecycleTopic(lifecycleTopics.presence('connected', 'cart-1')),
        lifecycleTopic(lifecycleTopics.presence('disconnected', 'cart-1')),
        lifecycleTopic(lifecycleTopics.presence('connect_failed', 'provision-SN1')),
      ]);
      misses(lifecycleTopics.presenceFilter(), [
        shadowTopics.response('cart-1', 'get', 'accepted'),
        lifecycleTopic(lifecycleTopics.subscription('subscribed', 'cart-1')),
        '$aws/events/presence/connected/cart-1/extra',
      ]);
      matches(lifecycleTopics.subscriptionFilter(), [
        lifecycleTopic(lifecycleTopics.subscription('subscribed', 'cart-1')),
        lifecycleTopic(lifecycleTopics.subscription('unsubscribed', 'cart-1')),
      ]);
      misses(lifecycleTopics.subscriptionFilter(), [lifecycleTopic(lifecycleTopics.presence('connected', 'cart-1'))]);
    });
  });
});
