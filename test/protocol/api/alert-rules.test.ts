import assert from 'node:assert/strict';
import {
  type AlertRule,
  alertRuleProblems,
  DEFAULT_ALERT_RULES,
  ruleSpecificity,
  selectRules,
} from '../../../protocol/api/alert-rules.ts';

const rule = (id: string, patch: Partial<AlertRule> = {}): AlertRule => ({
  id,
  cause: 'battery-low',
  deviceKind: null,
  storeId: null,
  severity: 'warning',
  threshold: 20,
  clearThreshold: 25,
  forSeconds: 0,
  enabled: true,
  ...patch,
});

/** The rules the fleet's engine and the console's rule editor share. */
describe('protocol/api/alert-rules', () => {
  it('the defaults of a fresh fleet are a valid set', () => {
    assert.deepEqual(alertRuleProblems(DEFAULT_ALERT_RULES), []);
  });

  it('names each problem by rule index and field', () => {
    assert.deepEqual(
      alertRuleProblems([
        rule('a', { threshold: 20, clearThreshold: 15 }),
        rule('t', { cause: 'temperature-high', threshold: 60, clearThreshold: 65 }),
        rule('o', { cause: 'offline', threshold: 0, clearThreshold: 5 }),
        rule('f', { cause: 'fault', threshold: 3, clearThreshold: null }),
        rule('a', { severity: 'critical', threshold: 10, clearThreshold: 15 }),
        rule('w', { threshold: 30, clearThreshold: 35 }),
      ]).map((p) => p.path),
      // 4 reuses the id of 0; 5 is a second enabled warning for the same cause and scope as 0.
      ['0.clearThreshold', '1.clearThreshold', '2.threshold', '2.clearThreshold', '3.threshold', '4.id', '5'],
    );
  });

  it('a disabled rule may share its scope and severity with an enabled one', () => {
    assert.deepEqual(alertRuleProblems([rule('a'), rule('b', { enabled: false })]), []);
  });

  it('selects the most specific scope that has enabled rules: store + kind, store, kind, every device', () => {
    const rules = [
      rule('all'),
      rule('carts', { deviceKind: 'cart' }),
      rule('store', { storeId: 's1' }),
      rule('store-carts', { storeId: 's1', deviceKind: 'cart' }),
      rule('store-carts-critical', { storeId: 's1', deviceKind: 'cart', severity: 'critical', threshold: 10 }),
      rule('off', { storeId: 's2', enabled: false }),
    ];
    const ids = (kind: 'cart' | 'speaker', store: string | null) =>
      selectRules(rules, 'battery-low', kind, store).map((r) => r.id);
    assert.deepEqual(ids('cart', 's1'), ['store-carts', 'store-carts-critical']);
    assert.deepEqual(ids('speaker', 's1'), ['store']);
    assert.deepEqual(ids('cart', 's2'), ['carts']);
    assert.deepEqual(ids('speaker', null), ['all']);
    assert.deepEqual(selectRules(rules, 'offline', 'cart', 's1'), []);
    assert.deepEqual(rules.map(ruleSpecificity), [0, 1, 2, 3, 3, 2]);
  });
});
