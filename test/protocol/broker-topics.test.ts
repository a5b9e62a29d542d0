import assert from 'node:assert/strict';
import {
  deviceTopicResources,
  isLifecycleClientId,
  isReservedTopic,
  lifecycleTopics,
  parseMalformedShadowRequest,
  parseMalformedStreamRequest,
} from '../../protocol/topics.ts';

describe('lifecycle topics', () => {
  it('puts a client id that is one topic level into the topic', () => {
    assert.equal(lifecycleTopics.presence('connected', 'cart-1'), '$aws/events/presence/connected/cart-1');
    assert.equal(lifecycleTopics.subscription('unsubscribed', '..'), '$aws/events/subscriptions/unsubscribed/..');
    assert.equal(lifecycleTopics.presence('connect_failed', 'c'.repeat(128))?.split('/').length, 5);
  });

  it('refuses client ids that would add, empty or break topic levels', () => {
    const hostile = ['cart-A/../cart-B', '/', 'a/', 'a+b', '+', '#', 'a#', '', 'nul\u0000id', 'c'.repeat(129)];
    for (const id of hostile) {
      assert.equal(isLifecycleClientId(id), false, JSON.stringify(id));
      assert.equal(lifecycleTopics.presence('connect_failed', id), undefined, JSON.stringify(id));
      assert.equal(lifecycleTopics.subscription('subscribed', id), undefined, JSON.stringify(id));
    }
  });
});

describe('shadow requests with malformed names', () => {
  it('recognises a request whose thing or shadow name breaks the naming rules', () => {
    assert.deepEqual(parseMalformedShadowRequest('$aws/things/a.b/shadow/get'), {
      thingName: 'a.b',
      shadowName: undefined,
      operation: 'get',
      invalid: 'thing name',
    });
    assert.deepEqual(parseMalformedShadowRequest('$aws/things/cart-1/shadow/name/no spaces/delete'), {
      thingName: 'cart-1',
      shadowName: 'no spaces',
      operation: 'delete',
      invalid: 'shadow name',
    });
    assert.equal(parseMalformedShadowRequest(`$aws/things/${'t'.repeat(129)}/shadow/update`)?.invalid, 'thing name');
  });

  it('leaves well-formed requests, responses and other shapes alone', () => {
    for (const topic of [
      '$aws/things/cart-1/shadow/get',
      '$aws/things/cart-1/shadow/name/$package/update',
      '$aws/things/a.b/shadow/get/accepted',
      '$aws/things/a.b/shadow/list',
      '$aws/things/a.b/shadow/name/get',
      '$aws/things/a.b/jobs/get',
      'dt/cartfleet/a.b/telemetry',
    ]) {
      assert.equal(parseMalformedShadowRequest(topic), undefined, topic);
    }
  });
});

describe('stream requests with malformed names', () => {
  it('recognises a get or describe whose stream id or thing name breaks the naming rules', () => {
    assert.deepEqual(parseMalformedStreamRequest('$aws/things/cart-1/streams/bad id!/get/json'), {
      thingName: 'cart-1',
      streamId: 'bad id!',
      operation: 'get',
      format: 'json',
      invalid: 'stream id',
    });
    assert.equal(parseMalformedStreamRequest('$aws/things/cart-1/streams//describe/cbor')?.invalid, 'stream id');
    assert.equal(
      parseMalformedStreamRequest(`$aws/things/cart-1/streams/${'s'.repeat(129)}/get/json`)?.invalid,
      'stream id',
    );
    assert.equal(parseMalformedStreamRequest('$aws/things/a.b/streams/snap-1/get/json')?.invalid, 'thing name');
  });

  it('leaves well-formed requests, answers and other shapes alone', () => {
    for (const topic of [
      '$aws/things/cart-1/streams/snap-1/get/json',
      `$aws/things/cart-1/streams/${'s'.repeat(128)}/describe/cbor`,
      '$aws/things/cart-1/streams/bad.id/rejected/json',
      '$aws/things/cart-1/streams/bad.id/data/json',
      '$aws/things/cart-1/streams/bad.id/get/xml',
      '$aws/things/cart-1/streams/a/b/get/json',
      '$aws/things/cart-1/shadow/name/bad.id/get',
    ]) {
      assert.equal(parseMalformedStreamRequest(topic), undefined, topic);
    }
  });
});

describe('reserved topics', () => {
  it('reserves every $ topic but service requests, malformed shadow and jobs requests included as requests', () => {
    const reserved = [
      '$aws/events/presence/connected/cart-1',
      '$SYS/broker/uptime',
      '$aws/things/cart-1/shadow/update/accepted',
      '$aws/things/cart-1/shadow/update/delta',
      '$aws/things/a.b/shadow/get/accepted',
      '$aws/things/cart-1/jobs/start-next/accepted',
      '$aws/things/cart-1/jobs/job-1/update/rejected',
      '$aws/things/cart-1/jobs/notify',
      '$aws/things/cart-1/jobs/notify-next',
      '$aws/things/cart-1/jobs/x/y/z/accepted',
      '$aws/certificates/create/json/accepted',
      '$aws/things/cart-1/streams/snap-1/data/json',
      '$aws/things/cart-1/streams/snap-1/description/json',
      '$aws/things/cart-1/streams/snap-1/rejected/json',
      '$aws/things/cart-1/streams/bad.id/data/json',
      '$aws/things/cart-1/streams/bad.id/rejected/json',
      '$aws/things/cart-1/streams/a/b/get/json',
      '$anything',
    ];
    for (const topic of reserved) assert.equal(isReservedTopic(topic), true, topic);
    const open = [
      '$aws/things/cart-1/shadow/update',
      '$aws/things/a.b/shadow/update',
      '$aws/certificates/create/json',
      '$aws/provisioning-templates/cart-default/provision/json',
      '$aws/things/cart-1/streams/snap-1/get/json',
      '$aws/things/cart-1/streams/snap-1/describe/json',
      '$aws/things/cart-1/streams/snap-1/get/cbor',
      '$aws/things/cart-1/streams/bad.id/get/json',
      '$aws/things/cart-1/streams/bad id!/describe/cbor',
      '$aws/things/cart-1/jobs/start-next',
      '$aws/things/cart-1/jobs/get',
      '$aws/things/cart-1/jobs/$next/get',
      '$aws/things/cart-1/jobs/job-1/update',
      '$aws/things/cart-1/jobs/notify/get',
      '$aws/things/cart-1/jobs/no-such-api',
      '$aws/things/a.b/jobs/get',
      'dt/cartfleet/cart-1/telemetry',
    ];
    for (const topic of open) assert.equal(isReservedTopic(topic), false, topic);
  });
});

describe('device topic resources', () => {
  it("names a device's own topics for each policy action", () => {
    const own = ['$aws/things/T/shadow/*', '$aws/things/T/jobs/*', '$aws/things/T/streams/*'];
    assert.deepEqual(deviceTopicResources('T'), {
      publish: [...own, 'dt/cartfleet/T/*', 'cmd/cartfleet/T/*/res', 'cx/cartfleet/T/*'],
      subscribe: [...own, 'cmd/cartfleet/T/*', 'cx/cartfleet/T/*'],
      receive: [...own, 'cmd/cartfleet/T/*', 'cx/cartfleet/T/*'],
    });
  });
});
