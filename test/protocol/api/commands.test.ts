import assert from 'node:assert/strict';
import { FINAL_COMMAND_STATUSES, isFinalCommandStatus } from '../../../protocol/api/commands.ts';

describe('protocol/api/commands', () => {
  it('a command is final once it succeeded, failed, timed out or expired', () => {
    assert.deepEqual(FINAL_COMMAND_STATUSES, ['succeeded', 'failed', 'timed-out', 'expired']);
    assert.equal(isFinalCommandStatus('queued'), false);
    assert.equal(isFinalCommandStatus('sent'), false);
    assert.equal(isFinalCommandStatus('timed-out'), true);
  });
});
