import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICE_AUDIO_FORMAT, SILENCE_GATE_LUFS, WAVEFORM_POINTS } from '../../protocol/broadcast/audio-format.ts';
import { FleetError } from '../../protocol/errors.ts';
import { type LoudnessMeasurement, parseContainerDurationMs, parseEbur128Summary } from './ebur128-summary.ts';
import { FfmpegProcesses, type FfmpegRunResult } from './ffmpeg-run.ts';
import {
  correctedGain,
  type GainStage,
  type GainTrial,
  initialGain,
  type LoudnessTarget,
  MAX_GAIN_PASSES,
  MAX_PEAK_PASSES,
  onAim,
  tightenedCeiling,
  withinTolerance,
} from './gain-plan.ts';
import { ProcessSlots } from './process-slots.ts';
import { WaveformBuilder } from './waveform.ts';

const RATE = DEVICE_AUDIO_FORMAT.sampleRate;
const BYTES_PER_SAMPLE = 4;
/** The decoded programme between passes: raw 32-bit float, 48 kHz mono (float keeps an input's overs unclipped). */
const RAW_PCM = ['-f', 'f32le', '-ar', String(RATE), '-ac', '1'] as const;
/**
 * BS.1770-4 measures loudness in 400 ms blocks overlapping by 75 % (100 ms steps) and gates them; EBU Tech 3341
 * warns that the integrated value of very short programmes is unreliable. A clip shorter than a block has no block
 * at all (ffmpeg reports −70), and in a clip of a few seconds the first and last 300 ms fall into fewer blocks than
 * the rest, so they weigh less. Below this length the clip is measured looped end to end until it lasts at least
 * this long: every sample then falls into the same number of blocks, and the result is the clip's own power mean,
 * the quantity a linear gain scales. The same rule measures the input, the processed programme and the stored file.
 */
export const LOOPED_MEASUREMENT_BELOW_MS = 3000;
/** ebur128 with true peak (4x oversampled, BS.1770-4 Annex 2), its per-frame log below the log level. */
const METER = 'ebur128=peak=true:framelog=verbose';

export interface NormaliserOptions {
  ffmpegPath: string;
  target: LoudnessTarget;
  /** Inputs longer than this are refused with AUDIO_TOO_LONG (decoding stops at the limit). */
  maxDurationMs: number;
  /** The ffmpeg processes allowed at once, shared with whoever else runs ffmpeg in the process. */
  slots?: ProcessSlots;
}

export interface NormalisedAudio {
  /** Length of the stored programme, ms. */
  durationMs: number;
  /** The input after decoding to 48 kHz mono (what a speaker would play without normalisation). */
  input: LoudnessMeasurement;
  /** The stored, encoded file, measured again after encoding. */
  output: LoudnessMeasurement;
  /** The linear gain applied, dB, and whether the oversampled limiter had to hold the peaks. */
  gainDb: number;
  limited: boolean;
  /** Gain passes run (1 unless the limiter took loudness away and a corrective pass followed). */
  gainPasses: number;
  /** WAVEFORM_POINTS peaks of the stored file, 0..1. */
  waveform: number[];
}

/**
 * Two-pass EBU R128 normalisation into the device format (protocol/broadcast/audio-format.ts), each input decoded
 * once:
 *
 * 1. decode → 48 kHz mono float PCM in a temp file, measured on the way (`ebur128`, integrated + true peak);
 * 2. linear gain to the target (+ a 4x-oversampled `alimiter` when the peaks would pass the true-peak ceiling) →
 *    Opus, the processed PCM measured in the same pass; repeated with a corrected gain while the limiter took
 *    more than {@link AIM_LU} away;
 * 3. the encoded file decoded and measured once more (and its waveform taken): outside ±tolerance →
 *    AUDIO_NORMALISATION_FAILED.
 *
 * Why not ffmpeg's `loudnorm`: in its dynamic mode (the default, and what it falls back to whenever the linear gain
 * would break its true-peak limit) it applies a slowly moving gain that needs about 3 s of history, so a short clip
 * or a constant tone comes out barely moved; and it upsamples everything to 192 kHz, costing more than this whole
 * pipeline. A linear gain moves integrated loudness by exactly its dB value (gain-plan.ts), whatever the length.
 */
export class LoudnessNormaliser {
  private readonly ffmpeg: FfmpegProcesses;
  private readonly slots: ProcessSlots;
  private stopped = false;

  constructor(private readonly options: NormaliserOptions) {
    this.ffmpeg = new FfmpegProcesses(options.ffmpegPath);
    this.slots = options.slots ?? new ProcessSlots(2);
  }

  /**
   * Normalises `inputPath` into `outputPath` (Ogg/Opus), using `workDir` for the decoded PCM (removed before
   * returning). On any refusal the output is removed too and a FleetError with the AUDIO_* code is thrown.
   */
  async normalise(inputPath: string, outputPath: string, workDir: string): Promise<NormalisedAudio> {
    const pcmPath = join(workDir, `decoded-${process.pid}-${Math.random().toString(36).slice(2)}.f32`);
    try {
      const size = (await stat(inputPath)).size;
      if (size === 0) throw new FleetError('AUDIO_EMPTY', 'the upload is empty');
      const decoded = await this.decode(inputPath, pcmPath);
      const short = decoded.samples < (LOOPED_MEASUREMENT_BELOW_MS * RATE) / 1000;
      const input = short ? await this.measureLooped(pcmPath, RAW_PCM, decoded.samples) : decoded.measurement;
      if (input.integratedLufs <= SILENCE_GATE_LUFS) {
        throw new FleetError(
          'AUDIO_SILENT',
          `the audio is silent: no 400 ms block above ${SILENCE_GATE_LUFS} LUFS (EBU R128 absolute gate)`,
        );
      }
      const target = this.options.target;
      let stage: GainStage = initialGain(input, target);
      const trials: GainTrial[] = [];
      for (;;) {
        const processed = await this.encode(pcmPath, outputPath, stage);
        const check = short ? await this.measureLooped(outputPath, [], decoded.samples) : processed;
        trials.push({ gainDb: stage.gainDb, measuredLufs: check.integratedLufs });
        if (onAim(check, target) || trials.length >= MAX_GAIN_PASSES) break;
        stage = correctedGain(trials, input, target);
      }
      let stored = await this.verify(outputPath);
      for (let retry = 0; retry < MAX_PEAK_PASSES; retry++) {
        const overshoot = stored.measurement.truePeakDbtp - target.truePeakDbtp;
        if (overshoot <= 0) break;
        stage = tightenedCeiling(stage, overshoot, target);
        await this.encode(pcmPath, outputPath, stage);
        stored = await this.verify(outputPath);
      }
      const output = short ? await this.measureLooped(outputPath, [], stored.samples) : stored.measurement;
      if (!withinTolerance(output, target)) {
        throw new FleetError(
          'AUDIO_NORMALISATION_FAILED',
          `the normalised file measures ${output.integratedLufs.toFixed(1)} LUFS, outside ${target.integratedLufs} ± ${target.toleranceLu} LU`,
          { input, output, gainDb: stage.gainDb },
        );
      }
      return {
        durationMs: Math.round((stored.samples * 1000) / RATE),
        input,
        output,
        gainDb: Math.round(stage.gainDb * 100) / 100,
        limited: stage.limiterCeiling !== null,
        gainPasses: trials.length,
        waveform: stored.waveform,
      };
    } catch (err) {
      await rm(outputPath, { force: true });
      throw err;
    } finally {
      await rm(pcmPath, { force: true });
    }
  }

  /** Kills the ffmpeg processes still running and refuses new ones (their normalisations fail with STORAGE_BUSY). */
  stop(): void {
    this.stopped = true;
    this.ffmpeg.killAll();
  }

  /** Pass 1: decode once to PCM, measuring on the way; stops at the duration limit. */
  private async decode(
    inputPath: string,
    pcmPath: string,
  ): Promise<{ samples: number; measurement: LoudnessMeasurement }> {
    const { maxDurationMs } = this.options;
    const result = await this.run(
      [
        // An input option: ffmpeg stops reading (and decoding) just past the limit, however long the file is.
        '-t',
        ((maxDurationMs + 100) / 1000).toFixed(3),
        '-i',
        inputPath,
        '-map',
        '0:a:0',
        '-af',
        `aresample=${RATE},aformat=sample_fmts=flt:channel_layouts=mono,${METER}`,
        ...RAW_PCM,
        '-y',
        pcmPath,
      ],
      (stderr) => {
        // The container's own duration is printed before any decoding: a file that says it is too long is refused
        // without decoding hours of it.
        const declared = parseContainerDurationMs(stderr);
        return declared !== undefined && declared > maxDurationMs ? `declared ${declared} ms` : undefined;
      },
    );
    if (result.stoppedFor !== undefined) throw tooLong(maxDurationMs);
    if (result.exitCode !== 0) throw undecodable(result.stderr);
    const samples = (await stat(pcmPath)).size / BYTES_PER_SAMPLE;
    if (samples === 0) throw new FleetError('AUDIO_EMPTY', 'the upload holds no audio samples');
    if ((samples * 1000) / RATE > maxDurationMs) throw tooLong(maxDurationMs);
    const measurement = parseEbur128Summary(result.stderr);
    if (!measurement) throw undecodable(result.stderr);
    return { samples, measurement };
  }

  /** Pass 2: gain (+ oversampled limiter) → Opus, measuring the processed PCM on the way. */
  private async encode(pcmPath: string, outputPath: string, stage: GainStage): Promise<LoudnessMeasurement> {
    const filters = [`volume=${stage.gainDb.toFixed(3)}dB:precision=float`];
    if (stage.limiterCeiling !== null) {
      // alimiter looks at samples only; at 4x the rate its sample peaks are the true peaks of BS.1770-4 Annex 2.
      // level=false: alimiter's default "auto level" would scale the result back up to the ceiling.
      filters.push(
        'aresample=192000',
        `alimiter=limit=${stage.limiterCeiling.toFixed(5)}:attack=5:release=50:level=false`,
        `aresample=${RATE}`,
      );
    }
    filters.push(METER);
    const result = await this.run([
      ...RAW_PCM,
      '-i',
      pcmPath,
      '-af',
      filters.join(','),
      '-c:a',
      'libopus',
      '-b:a',
      `${DEVICE_AUDIO_FORMAT.bitrateKbps}k`,
      '-ar',
      String(RATE),
      '-ac',
      '1',
      // Bit-exact: the Ogg serial number and the encoder tag are not random, so the same input normalises to the
      // same bytes (and the same sha256) on every run with the same ffmpeg.
      '-fflags',
      '+bitexact',
      '-flags:a',
      '+bitexact',
      '-map_metadata',
      '-1',
      '-f',
      'ogg',
      '-y',
      outputPath,
    ]);
    const measurement = result.exitCode === 0 ? parseEbur128Summary(result.stderr) : undefined;
    if (!measurement) throw failed('encoding failed', result);
    return measurement;
  }

  /** Pass 3: the stored file decoded as a speaker will, measured, its waveform and length taken. */
  private async verify(
    outputPath: string,
  ): Promise<{ samples: number; measurement: LoudnessMeasurement; waveform: number[] }> {
    const waveform = new WaveformBuilder(WAVEFORM_POINTS);
    const result = await this.run(['-i', outputPath, '-af', METER, ...RAW_PCM, '-'], undefined, (chunk) =>
      waveform.push(chunk),
    );
    const measurement = result.exitCode === 0 ? parseEbur128Summary(result.stderr) : undefined;
    if (!measurement) throw failed('the encoded file could not be measured', result);
    return { samples: waveform.sampleCount, measurement, waveform: waveform.finish() };
  }

  /** A short programme measured looped (see LOOPED_MEASUREMENT_BELOW_MS). */
  private async measureLooped(path: string, format: readonly string[], samples: number): Promise<LoudnessMeasurement> {
    const loops = Math.ceil((LOOPED_MEASUREMENT_BELOW_MS * RATE) / 1000 / Math.max(1, samples));
    const result = await this.run([
      '-stream_loop',
      String(loops),
      ...format,
      '-i',
      path,
      '-af',
      METER,
      '-f',
      'null',
      '-',
    ]);
    const measurement = result.exitCode === 0 ? parseEbur128Summary(result.stderr) : undefined;
    if (!measurement) throw failed('the looped measurement failed', result);
    return measurement;
  }

  private run(
    args: string[],
    watchStderr?: (stderr: string) => string | undefined,
    onStdout?: (chunk: Buffer) => void,
  ): Promise<FfmpegRunResult> {
    return this.slots.run(async () => {
      if (this.stopped) throw stopping();
      const result = await this.ffmpeg.run(args, {
        ...(watchStderr ? { watchStderr } : {}),
        ...(onStdout ? { onStdout } : {}),
      });
      if (result.killed) throw stopping();
      return result;
    });
  }
}

function stopping(): FleetError {
  return new FleetError('STORAGE_BUSY', 'the content library is stopping: try again');
}

function tooLong(maxDurationMs: number): FleetError {
  return new FleetError('AUDIO_TOO_LONG', `the audio is longer than ${formatDuration(maxDurationMs)}`, {
    maxDurationMs,
  });
}

function undecodable(stderr: string): FleetError {
  return new FleetError('AUDIO_UNDECODABLE', 'the upload is not audio ffmpeg can decode', {
    reason: lastLine(stderr),
  });
}

function failed(what: string, result: FfmpegRunResult): FleetError {
  return new FleetError('AUDIO_NORMALISATION_FAILED', what, {
    exitCode: result.exitCode,
    reason: lastLine(result.stderr),
  });
}

function lastLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return (lines.at(-1) ?? '').slice(0, 300);
}

function formatDuration(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 60 ? `${+(minutes / 60).toFixed(2)} h` : `${+minutes.toFixed(2)} min`;
}
