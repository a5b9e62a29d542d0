import assert from 'node:assert/strict';
import {
  chime,
  composeAnnouncement,
  GAP_AFTER_CHIME_MS,
  TAIL_MS,
} from '../../../broadcast/announcer/announcement-audio.ts';
import { durationMs, readMonoWav, writeMonoWav } from '../../../broadcast/announcer/wav.ts';
import { FleetError } from '../../../protocol/errors.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FleetError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('announcement audio (WAV and chime)', () => {
  it('writes and reads back 16-bit mono WAV, sample for sample', () => {
    const samples = Int16Array.from({ length: 2205 }, (_, i) => Math.round(30000 * Math.sin(i / 7)));
    const back = readMonoWav(writeMonoWav({ sampleRate: 22_050, samples }));
    assert.equal(back.sampleRate, 22_050);
    assert.deepEqual(back.samples, samples);
    assert.equal(durationMs(back), 100);
  });

  it('reads a data chunk whose header claims more bytes than there are (an unpatched streaming header)', () => {
    const wav = writeMonoWav({ sampleRate: 8000, samples: new Int16Array([1, 2, 3, 4]) });
    new DataView(wav.buffer).setUint32(40, 0xffffffff, true);
    assert.deepEqual(readMonoWav(wav).samples, new Int16Array([1, 2, 3, 4]));
  });

  it('refuses what is not 16-bit mono PCM WAV with TTS_FAILED', () => {
    assert.equal(
      code(() => readMonoWav(new TextEncoder().encode('not a wav file at all'))),
      'TTS_FAILED',
    );
    const stereo = writeMonoWav({ sampleRate: 8000, samples: new Int16Array(8) });
    new DataView(stereo.buffer).setUint16(22, 2, true);
    assert.equal(
      code(() => readMonoWav(stereo)),
      'TTS_FAILED',
    );
    assert.equal(
      code(() => readMonoWav(stereo.subarray(0, 36))),
      'TTS_FAILED',
    );
  });

  it('puts the chime, a gap, the speech unchanged and a tail in one announcement', () => {
    const rate = 22_050;
    const speech = { sampleRate: rate, samples: new Int16Array(rate).fill(1000) };
    const ding = chime(rate);
    const out = composeAnnouncement(speech, { chime: true });
    const lead = ding.length + Math.round((GAP_AFTER_CHIME_MS * rate) / 1000);
    assert.equal(out.samples.length, lead + rate + Math.round((TAIL_MS * rate) / 1000));
    assert.deepEqual(out.samples.subarray(lead, lead + rate), speech.samples);
    // The chime is heard (peaks near its level), and the gap before the words is silent.
    const peak = Math.max(...out.samples.subarray(0, ding.length).map(Math.abs));
    assert.ok(peak > 0.2 * 32767 && peak <= 0.3 * 32767, `${peak}`);
    assert.ok(out.samples.subarray(ding.length, lead).every((s) => s === 0));
    const plain = composeAnnouncement(speech, { chime: false });
    assert.deepEqual(plain.samples.subarray(0, rate), speech.samples);
  });
});
