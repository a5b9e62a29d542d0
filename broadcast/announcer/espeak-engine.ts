import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FleetError } from '../../protocol/errors.ts';
import type { VoiceSettings } from './voices.ts';

/** The WebAssembly API as used here (the project's TypeScript libs carry no DOM, where its full types live). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The Emscripten module text2wav ships (eSpeak-NG compiled to WebAssembly); its `Module` object, loosely typed. */
interface EmscriptenModule {
  arguments: string[];
  instantiateWasm: (imports: object, receive: (instance: object) => void) => object;
  print: (line: string) => void;
  printErr: (line: string) => void;
  postRun: () => void;
  onAbort: (what: unknown) => void;
  FS?: {
    root: { contents: Record<string, { contents: ArrayLike<number>; usedBytes?: number }> };
    unmount: (path: string) => void;
  };
}

/** Where text2wav writes the WAV inside the module's in-memory file system. */
const OUT_FILE = 'speech.wav';

/**
 * eSpeak-NG through text2wav's WebAssembly build, synthesising into a WAV (16-bit mono, 22,050 Hz). text2wav's own
 * entry point compiles the 850 kB WebAssembly module on every call (~100 ms, and a "wasm streaming compile failed"
 * on stderr each time); this engine compiles it once in `load()` and instantiates the compiled module per sentence,
 * with the same arguments text2wav passes (its index.js), so the voice data and the output are text2wav's own.
 * Synchronous CPU work from start to end: run it off the fleet's event loop (a worker thread).
 */
export class EspeakEngine {
  private compiled: object | undefined;
  private factory: ((module: EmscriptenModule) => void) | undefined;

  load(): void {
    if (this.compiled) return;
    const require = createRequire(import.meta.url);
    const lib = join(dirname(require.resolve('text2wav')), 'lib');
    this.factory = require(join(lib, 'espeak-ng.js')) as (module: EmscriptenModule) => void;
    this.compiled = new wasm.Module(readFileSync(join(lib, 'espeak-ng.wasm')));
  }

  /** The WAV of `text` (TTS_FAILED when eSpeak aborts or writes nothing). */
  synthesize(text: string, voice: VoiceSettings): Promise<Uint8Array> {
    this.load();
    const compiled = this.compiled as object;
    const factory = this.factory as (module: EmscriptenModule) => void;
    return new Promise((resolve, reject) => {
      const errors: string[] = [];
      const fail = (why: string) =>
        reject(new FleetError('TTS_FAILED', `eSpeak-NG: ${why}`, { stderr: errors.slice(-5) }));
      const module: EmscriptenModule = {
        arguments: [
          text,
          '-w',
          OUT_FILE,
          '-v',
          voice.voice,
          '-s',
          String(voice.speed),
          '-p',
          String(voice.pitch),
          '-g',
          String(voice.wordGap),
        ],
        instantiateWasm: (imports, receive) => {
          wasm.instantiate(compiled, imports).then(receive, (err: Error) => fail(err.message));
          return {};
        },
        print: () => {},
        printErr: (line) => errors.push(line),
        onAbort: (what) => fail(`aborted (${String(what)})`),
        postRun: () => {
          const file = module.FS?.root.contents[OUT_FILE];
          try {
            module.FS?.unmount('/usr/share');
          } catch {
            // The data mount is the module's own; a failed unmount only leaks this instance's file handle table.
          }
          // A WAV header alone (44 bytes) means eSpeak had nothing to say.
          // MEMFS grows a file's array ahead of what was written: `usedBytes` is its length.
          const length = file?.usedBytes ?? file?.contents.length ?? 0;
          if (!file || length <= 44) return fail('no audio written');
          resolve(Uint8Array.from(Array.prototype.slice.call(file.contents, 0, length) as number[]));
        },
      };
      try {
        factory(module);
      } catch (err) {
        fail((err as Error).message);
      }
    });
  }
}
