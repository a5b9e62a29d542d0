import type { AudioConfig } from '../audio-config.ts';
import { AlsaSink } from './alsa-sink.ts';
import { type AudioSink, NullSink } from './audio-sink.ts';
import { WavFileSink } from './wav-file-sink.ts';

/** The sink a speaker's `audio` config asks for. */
export function createSink(config: AudioConfig, ffmpegPath: string): AudioSink {
  switch (config.sink) {
    case 'alsa':
      return new AlsaSink({ device: config.device, player: config.player, ffmpegPath });
    case 'file':
      return new WavFileSink(config.path as string);
    case 'null':
      return new NullSink();
  }
}
