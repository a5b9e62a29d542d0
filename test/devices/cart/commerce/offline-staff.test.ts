import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OfflineStaffCodes,
  STAFF_THROTTLE_FILE,
  type StaffThrottleRecord,
} from '../../../../devices/cart/commerce/offline-staff.ts';
import { ShopJournal } from '../../../../devices/cart/commerce/shop-journal.ts';
import type { OfflineStaff } from '../../../../protocol/commerce/snapshot.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { offlineStaffEntry } from '../../../helpers/offline-staff.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

const LI = '482913';
const WANG = '107733';

describe('OfflineStaffCodes: staff codes checked on the cart without network', () => {
  let dir: string;
  let clock: FakeClock;
  let staff: OfflineStaff[];
  let codes: OfflineStaffCodes;

  const open = () => {
    const c = new OfflineStaffCodes(new ShopJournal<StaffThrottleRecord>(dir, STAFF_THROTTLE_FILE), clock);
    c.start();
    return c;
  };
  const refused = (retryAfterMs?: number) => (err: unknown) => {
    assert.ok(isFleetError(err, 'STAFF_CODE_INVALID'), String(err));
    assert.equal((err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs, retryAfterMs);
    return true;
  };
  const fail = async (n: number) => {
    for (let i = 0; i < n; i++) await assert.rejects(codes.verify('000000', staff), refused());
  };

  before(async () => {
    staff = [await offlineStaffEntry('u-li', 'li', LI), await offlineStaffEntry('u-wang', 'wang', WANG)];
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'offline-staff-'));
    clock = new FakeClock();
    codes = open();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the owner of a code among the store’s staff; a wrong, malformed or unknown-store code is STAFF_CODE_INVALID', async () => {
    assert.deepEqual(await codes.verify(WANG, staff), { userId: 'u-wang', username: 'wang' });
    assert.deepEqual(await codes.verify(LI, staff), { userId: 'u-li', username: 'li' });
    await assert.rejects(codes.verify('482914', staff), refused());
    await assert.rejects(codes.verify('48291', staff), refused());
    // A snapshot without verifiers (made before them, or no one with a new code): nothing verifies offline.
    await assert.rejects(codes.verify(LI, undefined), refused());
    await assert.rejects(codes.verify(LI, []), refused());
  });

  it('5 wrong codes are free; then even the right one waits 1 s, then 2 s after the next wrong one (the fleet’s shape)', async () => {
    await fail(4);
    assert.equal(codes.retryAfter(), 0, 'four are free');
    await fail(1);
    await assert.rejects(codes.verify(LI, staff), refused(1000));
    clock.advance(1000);
    await fail(1);
    clock.advance(1999);
    await assert.rejects(codes.verify(LI, staff), refused(1));
    clock.advance(1);
    assert.equal((await codes.verify(LI, staff)).userId, 'u-li');
    // A right code clears the count: four wrong ones are free again (six kept would make them wait).
    await fail(4);
    assert.equal(codes.retryAfter(), 0);
  });

  it('the count survives a restart of the cart (its own journal file) and is forgotten 15 minutes after the first failure', async () => {
    await fail(5);
    assert.ok(existsSync(join(dir, STAFF_THROTTLE_FILE)));
    codes = open(); // the cart restarted
    await assert.rejects(codes.verify(LI, staff), refused(1000));
    clock.advance(15 * 60_000 + 1);
    await fail(4);
    assert.equal(codes.retryAfter(), 0, 'a new window: four free failures again');
  });

  it('guesses sent together are judged one after another: the sixth waits for the fifth to fail', async () => {
    const results = await Promise.allSettled(
      ['000001', '000002', '000003', '000004', '000005', '000006', LI].map((c) => codes.verify(c, staff)),
    );
    const waits = results.map((r) =>
      r.status === 'rejected' ? ((r.reason as { details?: { retryAfterMs?: number } }).details?.retryAfterMs ?? 0) : -1,
    );
    assert.deepEqual(waits, [0, 0, 0, 0, 0, 1000, 1000], 'the right code, last, is held too');
  });

  it('a verifier this platform cannot run (scrypt refuses it) matches nothing; the others still do', async () => {
    const broken = { ...staff[0]!, params: { ...staff[0]!.params, N: 3 } } as unknown as OfflineStaff;
    await assert.rejects(codes.verify(LI, [broken]), refused());
    assert.equal((await codes.verify(WANG, [broken, staff[1]!])).userId, 'u-wang');
  });
});
