import type { MonoPcm } from './wav.ts';

/**
 * The two-tone "ding-dong" before an announcement (E5 then C5, a falling major third, the PA chime shoppers know),
 * computed here rather than by an ffmpeg process: it costs well under a millisecond on the 3 s path and no audio
 * file is committed. Each tone is a struck bell: 5 ms attack, exponential decay, a quieter octave partial.
 */
const TONES = [
  { hz: 659.25, startMs: 0, lengthMs: 650 },
  { hz: 523.25, startMs: 450, lengthMs: 900 },
] as const;
/** Peak of the chime before normalisation, relative to full scale: under the voice (eSpeak peaks near 0.5–0.9). */
const CHIME_PEAK = 0.3;
const ATTACK_MS = 5;
const DECAY_MS = 280;
/** Quiet between the chime's end and the first word, and after the last word (the normaliser keeps both). */
export const GAP_AFTER_CHIME_MS = 250;
export const TAIL_MS = 300;

export function chime(sampleRate: number): Float32Array {
  const lengthMs = Math.max(...TONES.map((t) => t.startMs + t.lengthMs));
  const out = new Float32Array(Math.ceil((lengthMs * sampleRate) / 1000));
  for (const tone of TONES) {
    const start = Math.round((tone.startMs * sampleRate) / 1000);
    const length = Math.round((tone.lengthMs * sampleRate) / 1000);
    for (let i = 0; i < length && start + i < out.length; i++) {
      const t = i / sampleRate;
      const envelope = Math.min(1, (t * 1000) / ATTACK_MS) * Math.exp((-t * 1000) / DECAY_MS);
      const wave = Math.sin(2 * Math.PI * tone.hz * t) + 0.25 * Math.sin(4 * Math.PI * tone.hz * t);
      out[start + i] = (out[start + i] as number) + envelope * wave;
    }
  }
  // The second tone starts while the first still rings: scale the sum, not each tone, to the chime's peak.
  let peak = 0;
  for (const x of out) peak = Math.max(peak, Math.abs(x));
  for (let i = 0; i < out.length; i++) out[i] = ((out[i] as number) * CHIME_PEAK) / peak;
  return out;
}

/** Speech with (optionally) the chime and a gap before it, and a short tail after, at the speech's sample rate. */
export function composeAnnouncement(speech: MonoPcm, options: { chime: boolean }): MonoPcm {
  const rate = speech.sampleRate;
  const ms = (value: number) => Math.round((value * rate) / 1000);
  const intro = options.chime ? chime(rate) : new Float32Array(0);
  const lead = options.chime ? intro.length + ms(GAP_AFTER_CHIME_MS) : 0;
  const samples = new Int16Array(lead + speech.samples.length + ms(TAIL_MS));
  for (let i = 0; i < intro.length; i++) samples[i] = Math.round((intro[i] as number) * 32767);
  samples.set(speech.samples, lead);
  return { sampleRate: rate, samples };
}
