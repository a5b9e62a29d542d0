import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { durationMs, readMonoWav } from '../../broadcast/announcer/wav.ts';
import type { AssetIngest, AssetIngestMeta, IngestedAsset } from '../../fleet/broadcast/announcer/asset-ingest.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import { DEFAULT_LOUDNESS_TARGET, DEVICE_AUDIO_FORMAT } from '../../protocol/broadcast/audio-format.ts';
import { FleetError } from '../../protocol/errors.ts';

/**
 * STAND-IN for the content library's `ContentLibrary.ingestFile` (issue 9 item 1), for the announcer's integration
 * test and benchmark until the integrator wires the real one: one ffmpeg run that normalises with `loudnorm` (one
 * pass, EBU R128 target −16 LUFS / −1.5 dBTP), resamples to 48 kHz, encodes Ogg/Opus 64 kbit/s mono and measures the
 * normalised signal with `ebur128` on the way; the file is stored as `{dir}/{sha256}.opus`. The real library does
 * two-pass normalisation with its own checks and dedupe; its cost per announcement is of the same order (one ffmpeg
 * process over a few seconds of speech).
 */
export class StandInAssetIngest implements AssetIngest {
  private readonly ffmpeg: string;

  constructor(private readonly dir: string) {
    this.ffmpeg = resolveFfmpeg().path;
    mkdirSync(dir, { recursive: true });
  }

  async ingestFile(path: string, meta: AssetIngestMeta): Promise<IngestedAsset> {
    const wavDuration = durationMs(readMonoWav(readFileSync(path)));
    const partial = join(this.dir, `.partial-${randomUUID()}.${DEVICE_AUDIO_FORMAT.extension}`);
    const t = DEFAULT_LOUDNESS_TARGET;
    const args = [
      '-hide_banner',
      '-nostats',
      '-y',
      '-i',
      path,
      '-filter_complex',
      `[0:a]loudnorm=I=${t.integratedLufs}:TP=${t.truePeakDbtp}:LRA=11,aresample=${DEVICE_AUDIO_FORMAT.sampleRate},asplit=2[out][m];[m]ebur128=peak=true[meter]`,
      '-map',
      '[out]',
      '-ac',
      '1',
      '-c:a',
      'libopus',
      '-b:a',
      `${DEVICE_AUDIO_FORMAT.bitrateKbps}k`,
      '-f',
      'ogg',
      partial,
      '-map',
      '[meter]',
      '-f',
      'null',
      '-',
    ];
    try {
      const stderr = await run(this.ffmpeg, args);
      const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
      const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
      if (!integrated) throw new FleetError('AUDIO_NORMALISATION_FAILED', 'ffmpeg printed no loudness summary');
      const bytes = readFileSync(partial);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      renameSync(partial, join(this.dir, `${sha256}.${DEVICE_AUDIO_FORMAT.extension}`));
      return { sha256, durationMs: wavDuration, integratedLufs: Number(integrated[1]), title: meta.title };
    } finally {
      rmSync(partial, { force: true });
    }
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (err) => reject(new FleetError('FFMPEG_UNAVAILABLE', err.message)));
    child.on('close', (code) => {
      if (code === 0) resolve(stderr);
      else reject(new FleetError('AUDIO_NORMALISATION_FAILED', `ffmpeg exited ${code}: ${stderr.slice(-300)}`));
    });
  });
}
