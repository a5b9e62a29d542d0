import assert from 'node:assert/strict';
import { buildRule, parseRule } from '../../../web/src/pages/broadcast/rrule-builder.ts';

describe('console RRULE builder (daily, weekly, every N minutes, raw)', () => {
  it('builds daily and weekly rules from times and days', () => {
    assert.deepEqual(buildRule({ mode: 'daily', days: [], times: '09:00, 15:00' }), {
      rule: 'FREQ=DAILY;BYHOUR=9,15;BYMINUTE=0',
    });
    assert.deepEqual(buildRule({ mode: 'weekly', days: ['SA', 'MO'], times: '10:30' }), {
      rule: 'FREQ=WEEKLY;BYDAY=MO,SA;BYHOUR=10;BYMINUTE=30',
    });
  });

  it('builds every N minutes between whole hours, and refuses what RRULE would expand wrongly', () => {
    assert.deepEqual(buildRule({ mode: 'every', days: [], everyMinutes: 30, from: '09:00', to: '12:00' }), {
      rule: 'FREQ=DAILY;BYHOUR=9,10,11;BYMINUTE=0,30',
    });
    assert.deepEqual(buildRule({ mode: 'every', days: ['SA', 'SU'], everyMinutes: 120, from: '10:00', to: '16:00' }), {
      rule: 'FREQ=DAILY;BYDAY=SA,SU;BYHOUR=10,12,14;BYMINUTE=0',
    });
    // 09:00 and 15:30 as BYHOUR=9,15;BYMINUTE=0,30 would also play 09:30 and 15:00.
    assert.ok('problem' in buildRule({ mode: 'daily', days: [], times: '09:00, 15:30' }));
    assert.ok('problem' in buildRule({ mode: 'daily', days: [], times: '25:00' }));
    assert.ok('problem' in buildRule({ mode: 'weekly', days: [], times: '09:00' }));
    assert.ok('problem' in buildRule({ mode: 'every', days: [], everyMinutes: 15, from: '12:00', to: '09:00' }));
  });

  it('reads its own rules back, and anything else as raw', () => {
    for (const rule of ['FREQ=DAILY;BYHOUR=9,15;BYMINUTE=0', 'FREQ=WEEKLY;BYDAY=MO,SA;BYHOUR=10;BYMINUTE=30']) {
      const draft = parseRule(rule);
      assert.notEqual(draft.mode, 'custom');
      assert.deepEqual(buildRule(draft), { rule });
    }
    assert.deepEqual(parseRule('FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0'), {
      mode: 'custom',
      rule: 'FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0',
    });
  });
});
