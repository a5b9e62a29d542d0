import assert from 'node:assert/strict';
import { cronShapeOk, cronWords, durationWords, windowWords } from '../../../web/src/pages/ota/window-words.ts';

describe('console maintenance windows in words', () => {
  it('reads the common crons as sentences and shows any other cron as it is', () => {
    assert.equal(cronWords('0 2 * * *'), 'every day at 02:00');
    assert.equal(cronWords('30 23 * * 1-5'), 'Monday to Friday at 23:30');
    assert.equal(cronWords('0 6 * * 0,6'), 'weekends at 06:00');
    assert.equal(cronWords('15 4 * * 1,3,7'), 'Mon, Wed, Sun at 04:15');
    assert.equal(cronWords('0 2 1 * *'), 'cron 0 2 1 * *', 'a day of the month is not read back');
    assert.equal(cronWords('*/15 2 * * *'), 'cron */15 2 * * *');
    assert.equal(cronWords('0 2 * *'), 'cron 0 2 * *');
  });

  it('says how long and where', () => {
    assert.equal(durationWords(180), '3 h');
    assert.equal(durationWords(90), '1 h 30 min');
    assert.equal(durationWords(45), '45 min');
    assert.equal(
      windowWords({ cron: '0 2 * * *', durationMinutes: 180, timeZone: 'Asia/Shanghai' }),
      'every day at 02:00 for 3 h (Asia/Shanghai)',
    );
  });

  it('checks only the cron’s shape (five fields); the fleet judges the rest', () => {
    assert.equal(cronShapeOk('0 2 * * *'), true);
    assert.equal(cronShapeOk('0 2 * *'), false);
    assert.equal(cronShapeOk('0 0 2 * * *'), false);
  });
});
