import assert from 'node:assert/strict';
import { ProcessSlots } from '../../../broadcast/loudness/process-slots.ts';
import { WaveformBuilder } from '../../../broadcast/loudness/waveform.ts';

function floats(values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) buffer.writeFloatLE(v, i * 4);
  return buffer;
}

describe('WaveformBuilder', () => {
  it('answers the absolute peak of each equal slice, with samples split across chunks anywhere', () => {
    // 10 slices of 100 samples; slice k peaks at k/10 (negative in odd slices).
    const samples = Array.from({ length: 1000 }, (_, i) => {
      const slice = Math.floor(i / 100);
      return i % 100 === 50 ? (slice % 2 ? -1 : 1) * (slice / 10) : 0;
    });
    const bytes = floats(samples);
    const builder = new WaveformBuilder(10, 1000);
    // Odd chunk sizes: a sample's 4 bytes are split between chunks.
    for (let offset = 0; offset < bytes.length; offset += 7) builder.push(bytes.subarray(offset, offset + 7));
    assert.equal(builder.sampleCount, 1000);
    assert.deepEqual(builder.finish(), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });

  it('keeps memory bounded for a programme of unknown length and still answers the asked number of points', () => {
    const builder = new WaveformBuilder(200);
    const chunk = floats(Array.from({ length: 48_000 }, (_, i) => (i === 24_000 ? 0.5 : 0.1)));
    for (let s = 0; s < 120; s++) builder.push(chunk); // 2 min at 48 kHz
    const points = builder.finish();
    assert.equal(points.length, 200);
    assert.ok(points.every((p) => p === 0.5 || p === 0.1));
    assert.ok(points.includes(0.5));
    assert.equal(builder.sampleCount, 120 * 48_000);
  });

  it('clamps overs to 1 and answers fewer points for fewer samples', () => {
    const builder = new WaveformBuilder(200, 3);
    builder.push(floats([0.2, -1.7, 0.4]));
    assert.deepEqual(builder.finish(), [0.2, 1, 0.4]);
  });
});

describe('ProcessSlots', () => {
  it('runs at most its size at once, the rest in order', async () => {
    const slots = new ProcessSlots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const jobs = [0, 1, 2, 3].map((n) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(n);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [0, 1], 'two started, two wait');
    while (releases.length) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(jobs);
    assert.equal(most, 2);
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  it('frees the slot when a job throws', async () => {
    const slots = new ProcessSlots(1);
    await assert.rejects(
      slots.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await slots.run(async () => 7), 7);
  });
});
