import assert from 'node:assert/strict';
import {
  CLAIM_CLIENT_ID_PREFIX,
  isAllowedThingName,
  isReservedThingName,
  isThingName,
  parseShadowTopic,
} from '../../protocol/topics.ts';

describe('the thing-name rule (protocol/thing-names.ts)', () => {
  it('accepts 1-128 characters of [a-zA-Z0-9:_-] and nothing else', () => {
    for (const name of ['a', 'cart-001', 'A:b_c-D', 'x'.repeat(128)]) assert.equal(isThingName(name), true, name);
    for (const name of ['', 'x'.repeat(129), 'cart 1', 'cart/1', 'cart+', 'cart#', 'käse', 'a.b', 'a\u0000b']) {
      assert.equal(isThingName(name), false, JSON.stringify(name));
    }
  });

  it('reserves the claim client-id prefix, exactly and case-sensitively', () => {
    assert.equal(CLAIM_CLIENT_ID_PREFIX, 'provision-');
    assert.equal(isReservedThingName('provision-1'), true);
    assert.equal(isAllowedThingName('provision-1'), false);
    assert.equal(isAllowedThingName('provision-'), false);
    for (const name of ['provision', 'provision_1', 'Provision-1', 'x-provision-1', 'provisioned-1']) {
      assert.equal(isAllowedThingName(name), true, name);
    }
    // A reserved name is still well-formed: topics that carry it parse (the shadow service answers 404).
    assert.equal(parseShadowTopic('$aws/things/provision-1/shadow/get')?.thingName, 'provision-1');
  });
});
