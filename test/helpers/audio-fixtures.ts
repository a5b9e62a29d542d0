import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';

/** The ffmpeg the tests generate fixtures and measure with (resolved as the fleet does). */
export const ffmpegPath = resolveFfmpeg().path;

/**
 * Makes a test input with ffmpeg's own sources (lavfi `sine`, `aevalsrc`, `anoisesrc`): nothing binary is
 * committed. `output` are the output options (codec, container); the file is `dir/name`.
 */
export function makeAudio(dir: string, name: string, source: string, output: string[] = []): string {
  const path = join(dir, name);
  execFileSync(ffmpegPath, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...output, path]);
  return path;
}

/**
 * An independent measurement of a file (not the library's parser or pipeline): ffmpeg's ebur128 summary read with
 * its own expression. `loops` measures a short clip looped (EBU Tech 3341: short programmes need it).
 */
export function measure(path: string, options: { loops?: number } = {}): { lufs: number; truePeak: number } {
  const args = ['-hide_banner', '-nostats'];
  if (options.loops) args.push('-stream_loop', String(options.loops));
  args.push('-i', path, '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-');
  const run = spawnSync(ffmpegPath, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ffmpeg failed on ${path}: ${run.stderr}`);
  const summary = run.stderr.slice(run.stderr.lastIndexOf('Summary:'));
  const lufs = Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
  const peak = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  return { lufs, truePeak: peak === '-inf' ? Number.NEGATIVE_INFINITY : Number(peak) };
}

/** The codec and container of a file, as ffmpeg describes its first audio stream. */
export function describeAudio(path: string): string {
  const run = spawnSync(ffmpegPath, ['-hide_banner', '-i', path], { encoding: 'utf8' });
  return /Stream #0:0.*?: Audio: (.*)/.exec(run.stderr)?.[1] ?? '';
}

/**
 * As {@link makeAudio}, but written to a pipe (then saved): a container written without seeking back has no
 * duration in its header (Matroska: `Duration: N/A`), so only decoding tells how long it is.
 */
export function makeStreamedAudio(dir: string, name: string, source: string, output: string[]): string {
  const path = join(dir, name);
  const bytes = execFileSync(
    ffmpegPath,
    ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', source, ...output, 'pipe:1'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  writeFileSync(path, bytes);
  return path;
}
