import assert from 'node:assert/strict';
import { parseContainerDurationMs, parseEbur128Summary } from '../../../broadcast/loudness/ebur128-summary.ts';

/** ffmpeg 4.x's ebur128 summary as printed on stderr (per-frame lines before it, another filter's log after). */
function summary(i: string, peak: string, tag = '0x1'): string {
  return `[Parsed_ebur128_2 @ ${tag}] t: 4.9    TARGET:-23 LUFS    M: -31.8 S: -31.8     I: -99.0 LUFS
[Parsed_ebur128_2 @ ${tag}] Summary:

  Integrated loudness:
    I:         ${i} LUFS
    Threshold: -41.8 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold: -51.8 LUFS
    LRA low:   -31.8 LUFS
    LRA high:  -31.8 LUFS

  True peak:
    Peak:      ${peak} dBFS
`;
}

describe('ebur128 summary parsing', () => {
  it('reads integrated loudness and true peak from the summary, not from the per-frame lines', () => {
    assert.deepEqual(parseEbur128Summary(`size=N/A\n${summary('-31.8', '-28.1')}video:0kB audio:469kB`), {
      integratedLufs: -31.8,
      truePeakDbtp: -28.1,
    });
  });

  it('reads positive true peaks (an overs-clipped input) and the −70 of no gated block', () => {
    assert.deepEqual(parseEbur128Summary(summary('-0.5', '3.0')), { integratedLufs: -0.5, truePeakDbtp: 3 });
    assert.deepEqual(parseEbur128Summary(summary('-70.0', '-18.1')), { integratedLufs: -70, truePeakDbtp: -18.1 });
  });

  it("reads digital silence's -inf peak as -Infinity", () => {
    assert.equal(parseEbur128Summary(summary('-70.0', '-inf'))?.truePeakDbtp, Number.NEGATIVE_INFINITY);
  });

  it('picks the last summary by default, or the one asked for', () => {
    const two = summary('-20.0', '-5.0', '0xa') + summary('-16.1', '-1.6', '0xb');
    assert.equal(parseEbur128Summary(two)?.integratedLufs, -16.1);
    assert.equal(parseEbur128Summary(two, 0)?.integratedLufs, -20);
  });

  it('answers undefined when there is no summary or it is cut short (ffmpeg failed before the end)', () => {
    assert.equal(parseEbur128Summary('Invalid data found when processing input'), undefined);
    assert.equal(parseEbur128Summary(summary('-20.0', '-5.0').split('True peak')[0] as string), undefined);
    assert.equal(parseEbur128Summary(summary('nan', '-5.0')), undefined);
  });

  it("reads the container's declared duration; N/A is undefined", () => {
    assert.equal(parseContainerDurationMs('  Duration: 02:00:00.01, start: 0.000000, bitrate: 64 kb/s'), 7_200_010);
    assert.equal(parseContainerDurationMs('  Duration: 00:00:03.23, bitrate: 72 kb/s'), 3230);
    assert.equal(parseContainerDurationMs('  Duration: N/A, start: 0.000000, bitrate: N/A'), undefined);
  });
});
