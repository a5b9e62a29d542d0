import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One chord: root, third, fifth in Hz (a bass note an octave under the root is added). */
type Chord = [number, number, number];

/** Demo ambient tracks: four-chord pads, each chord 8 s with a soft swell, a little echo for space. */
export const DEMO_TRACKS: { title: string; chords: Chord[]; seconds: number }[] = [
  {
    title: 'Morning Market (demo pad, C–Am–F–G)',
    chords: [
      [261.63, 329.63, 392.0],
      [220.0, 261.63, 329.63],
      [174.61, 220.0, 261.63],
      [196.0, 246.94, 293.66],
    ],
    seconds: 64,
  },
  {
    title: 'Afternoon Aisles (demo pad, D–Bm–G–A)',
    chords: [
      [293.66, 369.99, 440.0],
      [246.94, 293.66, 369.99],
      [196.0, 246.94, 293.66],
      [220.0, 277.18, 329.63],
    ],
    seconds: 64,
  },
  {
    title: 'Evening Stroll (demo pad, Am–F–C–G)',
    chords: [
      [220.0, 261.63, 329.63],
      [174.61, 220.0, 261.63],
      [261.63, 329.63, 392.0],
      [196.0, 246.94, 293.66],
    ],
    seconds: 64,
  },
];

function chordExpr([root, third, fifth]: Chord): string {
  const s = (hz: number, gain: number) => `${gain}*sin(2*PI*${hz}*t)`;
  return `(${s(root, 1)}+${s(third, 0.8)}+${s(fifth, 0.7)}+${s(root / 2, 0.5)})`;
}

/**
 * Writes a generated ambient track as WAV: the demo's music is synthesised here rather than shipped, so the repository
 * holds no audio and no licence question. Each chord swells in and out over its 8 s (no clicks at the changes); the
 * content library normalises the result like any upload.
 */
export async function writeDemoTrack(ffmpeg: string, track: (typeof DEMO_TRACKS)[number], path: string): Promise<void> {
  const bar = 8;
  const cycle = bar * track.chords.length;
  const gates = track.chords
    .map((chord, i) => `between(mod(t,${cycle}),${i * bar}+0.0001*${i},${(i + 1) * bar})*${chordExpr(chord)}`)
    .join('+');
  const expr = `0.08*pow(sin(PI*mod(t,${bar})/${bar}),0.6)*(${gates})`;
  await run(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=exprs='${expr}':s=48000:d=${track.seconds}`,
    '-af',
    'aecho=0.8:0.7:120|240:0.35|0.2,lowpass=f=3000',
    '-y',
    path,
  ]);
}
