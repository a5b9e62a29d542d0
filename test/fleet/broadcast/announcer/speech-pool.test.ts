import assert from 'node:assert/strict';
import { VOICES } from '../../../../broadcast/announcer/voices.ts';
import { durationMs, readMonoWav } from '../../../../broadcast/announcer/wav.ts';
import { SpeechPool } from '../../../../fleet/broadcast/announcer/speech-pool.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { FleetError } from '../../../../protocol/errors.ts';

/** Real eSpeak-NG (text2wav's WebAssembly) in real worker threads. */
describe('SpeechPool (eSpeak-NG in worker threads)', function () {
  this.timeout(60_000);
  let pool: SpeechPool;

  before(async () => {
    pool = new SpeechPool(2, silentLogger());
    await pool.start();
  });
  after(async () => {
    await pool.stop();
  });

  it('speaks Mandarin and English into 16-bit mono WAV, longer text into longer audio', async () => {
    const [zhShort, zhLong, en] = await Promise.all([
      pool.synthesize('欢迎光临', VOICES.zh),
      pool.synthesize('欢迎光临，今天全场牛奶九块九，买二送一，活动下午三点半开始。', VOICES.zh),
      pool.synthesize('Welcome. Fresh milk, nine yuan ninety.', VOICES.en),
    ]);
    const short = readMonoWav(zhShort);
    assert.equal(short.sampleRate, 22_050);
    assert.ok(durationMs(readMonoWav(zhLong)) > 3 * durationMs(short), 'the long sentence is much longer');
    const english = readMonoWav(en);
    // Not silence: eSpeak's voice peaks well above a tenth of full scale.
    assert.ok(Math.max(...english.samples.map(Math.abs)) > 3000);
  });

  it('synthesises off the event loop: the loop turns while a sentence is being made', async () => {
    let done = false;
    const speaking = pool.synthesize('欢迎光临，今天全场牛奶九块九，买二送一。', VOICES.zh).then(() => {
      done = true;
    });
    let turns = 0;
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    await speaking;
    // On the loop itself (EspeakEngine called in this thread) the loop turned twice, around WebAssembly.instantiate,
    // then not until the sentence was done; in a worker it turns thousands of times.
    assert.ok(turns > 20, `${turns} turns`);
  });

  it('refuses work beyond its queue with ANNOUNCER_BUSY, and speaks what it queued', async () => {
    const small = new SpeechPool(1, silentLogger(), 2);
    await small.start();
    try {
      const outcome = (p: Promise<Uint8Array>) =>
        p.then(
          () => 'spoken',
          (err: unknown) => (err instanceof FleetError ? err.code : String(err)),
        );
      // One speaking, two waiting: the fourth is refused; the first three are spoken.
      const jobs = Array.from({ length: 4 }, () => outcome(small.synthesize('欢迎光临', VOICES.zh)));
      assert.deepEqual(await Promise.all(jobs), ['spoken', 'spoken', 'spoken', 'ANNOUNCER_BUSY']);
    } finally {
      await small.stop();
    }
  });

  it('fails what is still queued with TTS_FAILED when stopped, and refuses new work', async () => {
    const own = new SpeechPool(1, silentLogger());
    await own.start();
    const jobs = Array.from({ length: 4 }, () =>
      own.synthesize('欢迎光临，今天全场牛奶九块九。', VOICES.zh).then(
        () => 'spoken',
        (err: unknown) => (err instanceof FleetError ? err.code : String(err)),
      ),
    );
    await own.stop();
    const results = await Promise.all(jobs);
    assert.deepEqual(results, ['TTS_FAILED', 'TTS_FAILED', 'TTS_FAILED', 'TTS_FAILED']);
    const after = await own.synthesize('x', VOICES.en).catch((err: FleetError) => err.code);
    assert.equal(after, 'TTS_FAILED');
  });
});
