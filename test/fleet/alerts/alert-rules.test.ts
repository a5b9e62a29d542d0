import assert from 'node:assert/strict';
import { parseAlertRules } from '../../../fleet/alerts/alert-rules.ts';
import { DEFAULT_ALERT_RULES } from '../../../protocol/api/alert-rules.ts';

describe("parseAlertRules (the fleet's gate for rule sets)", () => {
  it('accepts the defaults of a fresh fleet unchanged', () => {
    assert.deepEqual(parseAlertRules(DEFAULT_ALERT_RULES), DEFAULT_ALERT_RULES);
  });

  it('parseAlertRules reports every structural problem at once, and fills defaults into a copy', () => {
    const input = [
      { id: 'x', cause: 'fire' },
      { cause: 'fault', colour: 'red' },
      { id: 'ok', cause: 'fault' },
    ];
    assert.throws(
      () => parseAlertRules(input),
      (err: { code: string; details: string[] }) => {
        assert.equal(err.code, 'ALERT_RULES_INVALID');
        assert.ok(
          err.details.some((d) => d.startsWith('0.cause: ')),
          err.details.join('\n'),
        );
        assert.ok(
          err.details.some((d) => d.startsWith('1.id: ')),
          err.details.join('\n'),
        );
        assert.ok(err.details.some((d) => d.startsWith("1: must NOT have additional properties ('colour')")));
        return true;
      },
    );
    const single = [{ id: 'ok', cause: 'fault' }];
    assert.deepEqual(parseAlertRules(single), [
      {
        id: 'ok',
        cause: 'fault',
        deviceKind: null,
        storeId: null,
        severity: 'warning',
        threshold: null,
        clearThreshold: null,
        forSeconds: 0,
        enabled: true,
      },
    ]);
    assert.deepEqual(single, [{ id: 'ok', cause: 'fault' }]);
  });
});
