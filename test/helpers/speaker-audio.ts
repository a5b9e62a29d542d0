import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { WavFileSink } from '../../devices/speaker/player/sinks/wav-file-sink.ts';
import { SpeakerPlayer } from '../../devices/speaker/player/speaker-player.ts';
import {
  BroadcastScheduler,
  type SchedulerOptions,
  type SchedulerPorts,
} from '../../devices/speaker/scheduler/broadcast-scheduler.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import type { FakeClock } from '../mocks/fake-clock.ts';
import { sha } from './broadcast-manifest.ts';

export const ffmpegPath = resolveFfmpeg().path;

/**
 * A test asset: a steady sine at `hz` for `seconds`, −12 dBFS peak, encoded to the device format (Ogg/Opus 48 kHz
 * mono 64 kbit/s) by the real ffmpeg, in `dir`. Distinct frequencies per asset make onsets easy to find.
 */
export function toneAsset(dir: string, name: string, hz: number, seconds: number): { sha256: string; file: string } {
  const file = join(dir, `${name}.opus`);
  execFileSync(ffmpegPath, [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=0.25*sin(2*PI*${hz}*t):s=48000:d=${seconds}`,
    '-ac',
    '1',
    '-c:a',
    'libopus',
    '-b:a',
    '64k',
    '-y',
    file,
  ]);
  return { sha256: sha(name), file };
}

/** A player writing to a WAV file and its scheduler on a fake clock, with the records it emits. */
export function speakerOnFakeClock(
  clock: FakeClock,
  wavPath: string,
  files: Map<string, string>,
  options: SchedulerOptions & { battery?: () => number; promoLevel?: SchedulerPorts['promoLevel'] } = {},
) {
  const records: PlayRecord[] = [];
  let scheduler: BroadcastScheduler | undefined;
  const player = new SpeakerPlayer(clock, new WavFileSink(wavPath), {
    ffmpegPath,
    volumeAt: (t) => scheduler?.volumeAt(t) ?? 0,
  });
  scheduler = new BroadcastScheduler(
    clock,
    player,
    { assetPath: (s) => files.get(s), battery: options.battery, promoLevel: options.promoLevel },
    options,
  );
  scheduler.on('play', (r) => records.push(r));
  const s = scheduler;
  return {
    player,
    scheduler: s,
    records,
    async start() {
      await player.start();
      s.start();
    },
    async stop() {
      s.stop();
      await player.stop();
    },
    /** Moves the fake clock on by `ms` in 20 ms steps, letting the real decoders fill up before each step. */
    async run(ms: number) {
      for (let done = 0; done < ms; done += 20) {
        await player.whenBuffered();
        clock.advance(Math.min(20, ms - done));
      }
    },
  };
}
