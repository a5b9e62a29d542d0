import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoudnessNormaliser } from '../../../broadcast/loudness/index.ts';
import { DEFAULT_LOUDNESS_TARGET } from '../../../protocol/broadcast/audio-format.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { describeAudio, ffmpegPath, makeAudio, makeStreamedAudio, measure } from '../../helpers/audio-fixtures.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

const TARGET = DEFAULT_LOUDNESS_TARGET;

describe('LoudnessNormaliser (real ffmpeg)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let work: string;
  let normaliser: LoudnessNormaliser;

  before(() => {
    dir = tempDir('cartfleet-loudness-');
    work = dir.path;
    normaliser = new LoudnessNormaliser({ ffmpegPath, target: TARGET, maxDurationMs: 2 * 3_600_000 });
  });
  after(() => {
    normaliser.stop();
    dir.cleanup();
  });

  /** Normalises and checks the stored file independently: Ogg/Opus 48 kHz mono, within ±1 LU, peaks held. */
  async function normaliseAndCheck(input: string, expectedMs: number) {
    const out = join(work, `${input.split('/').pop()}.opus`);
    const result = await normaliser.normalise(input, out, work);
    const stream = describeAudio(out);
    assert.match(stream, /^opus, 48000 Hz, mono/, stream);
    const independent = measure(out, expectedMs < 3000 ? { loops: Math.ceil(3000 / expectedMs) } : {});
    assert.ok(
      Math.abs(independent.lufs - TARGET.integratedLufs) <= TARGET.toleranceLu,
      `${input}: stored file measures ${independent.lufs} LUFS`,
    );
    assert.ok(independent.truePeak <= TARGET.truePeakDbtp + 0.5, `${input}: true peak ${independent.truePeak} dBTP`);
    assert.ok(Math.abs(result.durationMs - expectedMs) <= 30, `${input}: ${result.durationMs} ms`);
    assert.ok(Math.abs(result.output.integratedLufs - independent.lufs) <= 0.2);
    assert.equal(result.waveform.length, 200);
    assert.ok(result.waveform.every((p) => p >= 0 && p <= 1));
    assert.deepEqual(leftovers(), [], 'the decoded PCM is removed');
    return { result, independent };
  }
  const leftovers = () => readdirSync(work).filter((f) => f.startsWith('decoded-'));

  const formats: Array<[string, string[]]> = [
    ['mp3', ['-ac', '2', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k']],
    ['wav', ['-ac', '2', '-ar', '44100', '-c:a', 'pcm_s16le']],
    ['m4a', ['-ac', '2', '-ar', '44100', '-c:a', 'aac', '-b:a', '128k']],
    ['ogg', ['-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '96k']],
    ['flac', ['-ac', '2', '-ar', '96000', '-c:a', 'flac']],
  ];
  for (const [ext, options] of formats) {
    it(`accepts ${ext} and stores it within ±1 LU of −16 LUFS`, async () => {
      // Pink noise at about −30 LUFS with a tone: music-like, far from the target.
      const input = makeAudio(work, `input.${ext}`, 'anoisesrc=d=4:c=pink:a=0.05,volume=1', options);
      const before = measure(input);
      assert.ok(Math.abs(before.lufs - TARGET.integratedLufs) > 5, `the input starts far off (${before.lufs})`);
      const { result } = await normaliseAndCheck(input, 4000);
      assert.ok(Math.abs(result.input.integratedLufs - before.lufs) < 3.5);
    });
  }

  it('a 1 s clip (loudnorm would barely move it) lands on target', async () => {
    const input = makeAudio(work, 'short.wav', 'sine=f=880:d=1', ['-af', 'volume=-20dB']);
    const { result } = await normaliseAndCheck(input, 1000);
    assert.ok(result.gainDb > 10, `gain ${result.gainDb}`);
  });

  it('a clip shorter than one 400 ms block is measured looped, not refused as silent', async () => {
    const input = makeAudio(work, 'chime.wav', 'sine=f=1200:d=0.25', ['-af', 'volume=-6dB']);
    await normaliseAndCheck(input, 250);
  });

  it('a constant sine lands on target', async () => {
    const input = makeAudio(work, 'tone.flac', 'sine=f=1000:d=8', ['-c:a', 'flac']);
    await normaliseAndCheck(input, 8000);
  });

  it('a very quiet input (−45 LUFS speech-like bursts) is raised, its peaks limited', async () => {
    const input = makeAudio(
      work,
      'quiet.wav',
      'aevalsrc=0.01*sin(2*PI*300*t)*gt(sin(2*PI*1.5*t)\\,0)+0.002*(random(0)-0.5):d=6',
    );
    const before = measure(input);
    assert.ok(before.lufs < -40, `the input is very quiet (${before.lufs})`);
    const { result } = await normaliseAndCheck(input, 6000);
    assert.ok(result.gainDb > 25);
  });

  it('a very loud clipping square wave is brought down', async () => {
    const input = makeAudio(work, 'square.wav', 'aevalsrc=0.99*(gt(sin(2*PI*220*t)\\,0)*2-1):d=4', [
      '-af',
      'volume=12dB',
      '-c:a',
      'pcm_s16le',
    ]);
    assert.ok(measure(input).lufs > -3);
    const { result } = await normaliseAndCheck(input, 4000);
    assert.ok(result.gainDb < -10);
  });

  it('noise whose peaks would pass −1.5 dBTP after the gain is limited, and still lands on target', async () => {
    const input = makeAudio(
      work,
      'crest.wav',
      'aevalsrc=0.9*gt(mod(t\\,1)\\,0.995)*sin(2*PI*2000*t)+0.01*random(0):d=5',
    );
    const { result, independent } = await normaliseAndCheck(input, 5000);
    assert.equal(result.limited, true, 'the limiter was needed');
    assert.ok(independent.truePeak <= TARGET.truePeakDbtp + 0.5);
  });

  describe('refusals: a coded error, no output, no temp files', () => {
    async function refused(input: string, code: string, options: { maxDurationMs?: number } = {}) {
      const subject = options.maxDurationMs
        ? new LoudnessNormaliser({ ffmpegPath, target: TARGET, maxDurationMs: options.maxDurationMs })
        : normaliser;
      const out = join(work, 'refused.opus');
      await assert.rejects(subject.normalise(input, out, work), (err: unknown) => {
        assert.ok(isFleetError(err), String(err));
        assert.equal(err.code, code, err.message);
        return true;
      });
      assert.ok(!readdirSync(work).includes('refused.opus'), 'no output');
      assert.deepEqual(leftovers(), []);
    }

    it('empty: AUDIO_EMPTY', async () => {
      const input = join(work, 'empty.mp3');
      writeFileSync(input, '');
      await refused(input, 'AUDIO_EMPTY');
    });

    it('not audio: AUDIO_UNDECODABLE (random bytes, a text file)', async () => {
      const junk = join(work, 'junk.mp3');
      writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
      await refused(junk, 'AUDIO_UNDECODABLE');
      const text = join(work, 'notes.wav');
      writeFileSync(text, 'this is not a WAV file\n'.repeat(100));
      await refused(text, 'AUDIO_UNDECODABLE');
    });

    it('silent: AUDIO_SILENT (digital silence and noise below −70 LUFS), with a positive control', async () => {
      await refused(makeAudio(work, 'silence.wav', 'anullsrc=r=48000:cl=mono', ['-t', '3']), 'AUDIO_SILENT');
      await refused(makeAudio(work, 'whisper.wav', 'anoisesrc=d=3:a=0.00005'), 'AUDIO_SILENT');
      // The same noise 40 dB up is accepted: the refusal is the gate's, not the noise's.
      await normaliseAndCheck(makeAudio(work, 'audible.wav', 'anoisesrc=d=3:a=0.005'), 3000);
    });

    it('too long, as the container declares it: AUDIO_TOO_LONG; shorter passes (positive control)', async () => {
      const input = makeAudio(work, 'long.mp3', 'sine=f=440:d=3', ['-c:a', 'libmp3lame']);
      await refused(input, 'AUDIO_TOO_LONG', { maxDurationMs: 2000 });
      const roomy = new LoudnessNormaliser({ ffmpegPath, target: TARGET, maxDurationMs: 4000 });
      await roomy.normalise(input, join(work, 'long-ok.opus'), work);
    });

    it('too long with no declared duration (streamed Matroska): decoding stops at the limit, AUDIO_TOO_LONG', async () => {
      const input = makeStreamedAudio(work, 'streamed.mka', 'sine=f=440:d=3', ['-c:a', 'flac', '-f', 'matroska']);
      assert.match(spawnSync(ffmpegPath, ['-hide_banner', '-i', input], { encoding: 'utf8' }).stderr, /Duration: N\/A/);
      await refused(input, 'AUDIO_TOO_LONG', { maxDurationMs: 2000 });
      const roomy = new LoudnessNormaliser({ ffmpegPath, target: TARGET, maxDurationMs: 4000 });
      await roomy.normalise(input, join(work, 'streamed-ok.opus'), work);
    });
  });
});
