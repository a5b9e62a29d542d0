import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyDelta, createDelta, DELTA_MAGIC, readDeltaHeader } from '../../../ota/delta/bsdiff-delta.ts';
import { digestFile } from '../../../ota/delta/file-digest.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `base` with `parts` regions of `bytes` each overwritten by random bytes, spread over the file. */
function changed(base: Buffer, parts: number, bytes: number): Buffer {
  const out = Buffer.from(base);
  for (let i = 0; i < parts; i++) randomBytes(bytes).copy(out, Math.floor(((i + 0.5) * out.length) / parts));
  return out;
}

describe('BSDIFF40 deltas (ota/delta)', () => {
  let dir: ReturnType<typeof tempDir>;
  let base: Buffer;
  let target: Buffer;
  const at = (name: string) => join(dir.path, name);

  beforeEach(async () => {
    dir = tempDir('ota-delta-');
    base = randomBytes(256 * 1024);
    target = changed(base, 8, 1600); // about 5 % of the bytes, in eight places
    await writeFile(at('base'), base);
    await writeFile(at('target'), target);
  });
  afterEach(() => dir.cleanup());

  async function leftovers(): Promise<string[]> {
    return (await readdir(dir.path)).filter((name) => name.endsWith('.part'));
  }

  it('makes a delta far smaller than the artifact that patches the base into exactly the target', async () => {
    const made = await createDelta(at('base'), at('target'), at('delta'));
    const delta = await readFile(at('delta'));
    assert.equal(delta.subarray(0, 8).toString('latin1'), DELTA_MAGIC);
    assert.deepEqual(made, { size: delta.length, sha256: sha(delta) });
    assert.ok(made.size < target.length * 0.1, `delta ${made.size} bytes for ${target.length}`);
    assert.deepEqual(await readDeltaHeader(at('delta')), {
      controlBytes: delta.readUInt32LE(8),
      diffBytes: delta.readUInt32LE(16),
      newSize: target.length,
    });
    await applyDelta(at('base'), at('delta'), at('out'), { sha256: sha(target), size: target.length });
    assert.deepEqual(await readFile(at('out')), target);
    assert.deepEqual(await digestFile(at('out')), { sha256: sha(target), size: target.length });
    assert.deepEqual(await leftovers(), []);
  });

  it('refuses with OTA_HASH_MISMATCH and writes nothing: another base, a corrupt delta, a truncated one, not a delta', async () => {
    await createDelta(at('base'), at('target'), at('delta'));
    const delta = await readFile(at('delta'));
    const expected = { sha256: sha(target), size: target.length };
    await writeFile(at('other-base'), changed(base, 4, 4000));
    const corrupt = Buffer.from(delta);
    corrupt[Math.floor(delta.length / 2)]! ^= 0xff;
    await writeFile(at('corrupt'), corrupt);
    await writeFile(at('truncated'), delta.subarray(0, delta.length - 40));
    await writeFile(at('not-a-delta'), Buffer.from('BSDIFF4 is not the magic, and this is short'));
    await writeFile(at('out'), 'the previous content');
    const cases: [string, string][] = [
      ['other-base', 'delta'],
      ['base', 'corrupt'],
      ['base', 'truncated'],
      ['base', 'not-a-delta'],
    ];
    for (const [baseName, deltaName] of cases) {
      await assert.rejects(
        applyDelta(at(baseName), at(deltaName), at('out'), expected),
        (err) => isFleetError(err, 'OTA_HASH_MISMATCH'),
        `${baseName} + ${deltaName}`,
      );
      assert.equal(await readFile(at('out'), 'utf8'), 'the previous content', 'the output is untouched');
      assert.deepEqual(await leftovers(), []);
    }
    // Positive control: the good pair over the same output works.
    await applyDelta(at('base'), at('delta'), at('out'), expected);
    assert.deepEqual(await readFile(at('out')), target);
  });

  it('refuses a delta whose header announces another size before patching anything', async () => {
    await createDelta(at('base'), at('target'), at('delta'));
    await assert.rejects(
      applyDelta(at('base'), at('delta'), at('out'), { sha256: sha(target), size: target.length + 1 }),
      (err) => isFleetError(err, 'OTA_HASH_MISMATCH') && /makes 262144 bytes/.test(err.message),
    );
    // A header claiming 2^62 bytes (an attempt at making the device allocate it).
    const delta = await readFile(at('delta'));
    delta.writeUInt32LE(0x40000000, 28);
    await writeFile(at('huge'), delta);
    await assert.rejects(
      applyDelta(at('base'), at('huge'), at('out'), { sha256: sha(target), size: target.length }),
      (err) => isFleetError(err, 'OTA_HASH_MISMATCH'),
    );
    await assert.rejects(readFile(at('out')), { code: 'ENOENT' });
  });

  it('leaves nothing behind when diffing fails (a missing base)', async () => {
    await assert.rejects(createDelta(at('missing'), at('target'), at('delta')), /missing/);
    await assert.rejects(readFile(at('delta')), { code: 'ENOENT' });
    assert.deepEqual(await leftovers(), []);
  });
});
