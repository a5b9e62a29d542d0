import assert from 'node:assert/strict';
import { oneTimePassword, PasswordHasher } from '../../../fleet/access/password-hasher.ts';

// Small scrypt parameters keep the tests fast; the format and the checks are the same as with the defaults.
const FAST = { N: 1024, r: 8, p: 1 };

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(FAST);

  it('stores scrypt$N$r$p$salt$hash with its own parameters and a fresh salt', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    const parts = a.split('$');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['scrypt', '1024', '8', '1']);
    assert.equal(Buffer.from(parts[4] ?? '', 'base64url').length, 16, '128-bit salt');
    assert.equal(Buffer.from(parts[5] ?? '', 'base64url').length, 32, '256-bit key');
    assert.notEqual(a, b, 'a new salt each time');
    assert.ok(!a.includes('correct horse'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery');
    assert.equal(await hasher.verify('correct horse battery', stored), true);
    assert.equal(await hasher.verify('correct horse batterY', stored), false);
    assert.equal(await hasher.verify('', stored), false);
  });

  it('verifies with the parameters in the hash, not its own (old hashes keep working)', async () => {
    const stored = await new PasswordHasher({ N: 2048, r: 4, p: 1 }).hash('old parameters');
    assert.equal(await hasher.verify('old parameters', stored), true);
  });

  it('treats NFKC-equivalent spellings as the same password', async () => {
    const stored = await hasher.hash('ﬁsh and chips 42');
    assert.equal(await hasher.verify('fish and chips 42', stored), true);
  });

  it('refuses a tampered or malformed hash instead of accepting or crashing', async () => {
    const stored = await hasher.hash('correct horse battery');
    const parts = stored.split('$');
    const key = Buffer.from(parts[5] ?? '', 'base64url');
    key[0] = (key[0] ?? 0) ^ 1;
    const flipped = [...parts.slice(0, 5), key.toString('base64url')].join('$');
    assert.equal(await hasher.verify('correct horse battery', flipped), false, 'one bit of the key changed');
    const otherSalt = [...parts.slice(0, 4), Buffer.alloc(16).toString('base64url'), parts[5]].join('$');
    assert.equal(await hasher.verify('correct horse battery', otherSalt), false, 'salt changed');
    const shortKey = [...parts.slice(0, 5), key.subarray(0, 16).toString('base64url')].join('$');
    assert.equal(await hasher.verify('correct horse battery', shortKey), false, 'truncated key');
    for (const bad of [
      '',
      'plaintext',
      stored.replace(/^scrypt/, 'bcrypt'),
      parts.slice(0, 5).join('$'),
      [parts[0], 'x', ...parts.slice(2)].join('$'),
      [parts[0], '1000', ...parts.slice(2)].join('$'),
    ]) {
      assert.equal(await hasher.verify('correct horse battery', bad), false, `malformed: ${bad.slice(0, 20)}`);
    }
  });
});

describe('oneTimePassword', () => {
  it('is four dash-separated groups of four from an alphabet without look-alikes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = oneTimePassword();
      assert.match(p, /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);
      seen.add(p);
    }
    assert.equal(seen.size, 50);
  });
});
