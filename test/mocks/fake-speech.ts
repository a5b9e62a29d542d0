import type { VoiceSettings } from '../../broadcast/announcer/voices.ts';
import { writeMonoWav } from '../../broadcast/announcer/wav.ts';
import type { SpeechSynthesizer } from '../../fleet/broadcast/announcer/speech-pool.ts';
import { FleetError } from '../../protocol/errors.ts';

/**
 * A `SpeechSynthesizer` without eSpeak: a 440 Hz tone of 60 ms per character at 22,050 Hz (eSpeak's rate), so the
 * audio's length follows the text. Records what it was asked; `failNext()` makes the next call fail with TTS_FAILED.
 */
export class FakeSpeech implements SpeechSynthesizer {
  readonly calls: { text: string; voice: VoiceSettings }[] = [];
  private failing = false;

  failNext(): void {
    this.failing = true;
  }

  async synthesize(text: string, voice: VoiceSettings): Promise<Uint8Array> {
    this.calls.push({ text, voice });
    if (this.failing) {
      this.failing = false;
      throw new FleetError('TTS_FAILED', 'fake synthesiser told to fail');
    }
    const rate = 22_050;
    const samples = new Int16Array(Math.round(([...text].length * 60 * rate) / 1000));
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    return writeMonoWav({ sampleRate: rate, samples });
  }
}
