import assert from 'node:assert/strict';
import { checkMemberPin } from '../../../fleet/member-app/member-pin.ts';
import { isFleetError } from '../../../protocol/errors.ts';

const refused = (pin: string) => {
  try {
    checkMemberPin(pin);
    return false;
  } catch (err) {
    if (isFleetError(err, 'MEMBER_PIN_WEAK')) return true;
    throw err;
  }
};

describe('member app PINs (which are too easy)', () => {
  it('refuses one digit repeated, straight runs either way, and two or three digits repeated', () => {
    for (const pin of [
      '000000',
      '999999',
      '012345',
      '123456',
      '456789',
      '987654',
      '543210',
      '121212',
      '909090',
      '123123',
      '707707',
    ]) {
      assert.equal(refused(pin), true, pin);
    }
  });

  it('refuses what is not six digits', () => {
    for (const pin of ['12345', '1234567', '12345a', '', ' 48075', '４８０７５３'])
      assert.equal(refused(pin), true, pin);
  });

  it('accepts the rest, near misses included', () => {
    for (const pin of ['480753', '123457', '890123', '112233', '121213', '123124', '100000', '654320']) {
      assert.equal(refused(pin), false, pin);
    }
  });
});
