import { readFileSync } from 'node:fs';

export const RATE = 48_000;

/** The samples of a 16-bit mono WAV written by WavFileSink (44-byte header), as floats −1..1. */
export function readWav(path: string): Float32Array {
  const buf = readFileSync(path);
  const n = (buf.length - 44) >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(44 + i * 2) / 32768;
  return out;
}

/**
 * The amplitude of a sinusoid at `hz` in `samples[from, from + n)` by the Goertzel algorithm: for a steady tone
 * filling the frame this is its peak amplitude (2|X|/N).
 */
export function toneAmplitude(samples: Float32Array, from: number, n: number, hz: number): number {
  const w = (2 * Math.PI * hz) / RATE;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[from + i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

export function db(amplitude: number): number {
  return 20 * Math.log10(Math.max(amplitude, 1e-9));
}

/** The level (dBFS of the tone's peak) at `hz` in a 10 ms frame starting at `ms`. */
export function levelAt(samples: Float32Array, ms: number, hz: number, frameMs = 10): number {
  return db(toneAmplitude(samples, Math.round((ms * RATE) / 1000), Math.round((frameMs * RATE) / 1000), hz));
}

/**
 * The first time (ms from the file's start) at or after `fromMs` where the tone at `hz` begins: a 10 ms Goertzel
 * frame slid 1 ms at a time; with `thresholdDb` 6 dB under the tone's steady level the crossing frame holds half a
 * frame of the tone, so the onset is the frame's middle. Tones at multiples of 100 Hz fill whole cycles of a 10 ms
 * frame, so other such tones do not leak into each other's measure.
 */
export function onsetMs(samples: Float32Array, hz: number, fromMs: number, thresholdDb: number): number | undefined {
  const totalMs = (samples.length * 1000) / RATE;
  for (let ms = fromMs; ms + 10 <= totalMs; ms += 1) if (levelAt(samples, ms, hz) >= thresholdDb) return ms + 5;
  return undefined;
}

/** The first time after `fromMs` where the tone at `hz` falls below `thresholdDb` (10 ms frames, 1 ms steps). */
export function offsetMs(samples: Float32Array, hz: number, fromMs: number, thresholdDb = -40): number | undefined {
  const totalMs = (samples.length * 1000) / RATE;
  for (let ms = fromMs; ms + 10 <= totalMs; ms += 1)
    if (db(toneAmplitude(samples, Math.round((ms * RATE) / 1000), 480, hz)) < thresholdDb) return ms + 5;
  return undefined;
}

/** Whether the tone at `hz` is anywhere in `[fromMs, toMs)` above `thresholdDb` (10 ms frames, 5 ms steps). */
export function toneAnywhere(samples: Float32Array, hz: number, fromMs: number, toMs: number, thresholdDb = -40) {
  for (let ms = fromMs; ms + 10 <= toMs; ms += 5) if (levelAt(samples, ms, hz) >= thresholdDb) return true;
  return false;
}
