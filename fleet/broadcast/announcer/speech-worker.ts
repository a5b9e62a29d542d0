import { parentPort } from 'node:worker_threads';
import { EspeakEngine } from '../../../broadcast/announcer/espeak-engine.ts';
import { VOICES, type VoiceSettings } from '../../../broadcast/announcer/voices.ts';
import { isFleetError } from '../../../protocol/errors.ts';

/** A job for the speech worker thread and its answer (speech-pool.ts). */
export interface SpeechJob {
  id: number;
  text: string;
  voice: VoiceSettings;
}
export type SpeechAnswer = { id: number; wav: Uint8Array } | { id: number; error: { code: string; message: string } };

// One engine per thread: the WebAssembly module is compiled once, when the thread starts.
const engine = new EspeakEngine();
engine.load();
const port = parentPort;
// A word in each language before saying ready: the first sentences of a cold engine take 3–4 times as long (the
// JIT has not yet optimised eSpeak's code), and the first render a store manager waits for should not pay that.
const warmUp = Promise.all(Object.values(VOICES).map((voice) => engine.synthesize('1', voice).catch(() => undefined)));
if (port) {
  port.on('message', (job: SpeechJob) => {
    engine.synthesize(job.text, job.voice).then(
      (wav) => port.postMessage({ id: job.id, wav } satisfies SpeechAnswer, [wav.buffer as ArrayBuffer]),
      (err: unknown) =>
        port.postMessage({
          id: job.id,
          error: { code: isFleetError(err) ? err.code : 'TTS_FAILED', message: (err as Error).message },
        } satisfies SpeechAnswer),
    );
  });
  void warmUp.then(() => port.postMessage({ ready: true }));
}
