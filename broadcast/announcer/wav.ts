import { FleetError } from '../../protocol/errors.ts';

/** 16-bit PCM, mono: what eSpeak writes and what the announcer hands the content library. */
export interface MonoPcm {
  sampleRate: number;
  samples: Int16Array;
}

function chunkId(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

/**
 * Reads a RIFF/WAVE file of 16-bit mono PCM (TTS_FAILED for anything else: it is only ever eSpeak's output). A data
 * chunk whose size runs past the end (a writer that never patched the header) is read to the end of the bytes.
 */
export function readMonoWav(bytes: Uint8Array): MonoPcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || chunkId(view, 0) !== 'RIFF' || chunkId(view, 8) !== 'WAVE') {
    throw new FleetError('TTS_FAILED', 'the synthesiser did not produce a WAV file');
  }
  let sampleRate = 0;
  let at = 12;
  while (at + 8 <= bytes.byteLength) {
    const id = chunkId(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      const format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const bits = view.getUint16(body + 14, true);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new FleetError('TTS_FAILED', `unexpected WAV format ${format}/${channels} ch/${bits} bit`);
      }
      sampleRate = view.getUint32(body + 4, true);
    } else if (id === 'data') {
      if (sampleRate === 0) throw new FleetError('TTS_FAILED', 'WAV data before its format');
      const end = Math.min(bytes.byteLength, body + size);
      const count = Math.floor((end - body) / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + i * 2, true);
      return { sampleRate, samples };
    }
    at = body + size + (size % 2);
  }
  throw new FleetError('TTS_FAILED', 'the WAV file has no audio data');
}

/** A canonical 44-byte-header WAV of 16-bit mono PCM. */
export function writeMonoWav(pcm: MonoPcm): Uint8Array {
  const dataBytes = pcm.samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const id = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, text.charCodeAt(i));
  };
  id(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  id(8, 'WAVE');
  id(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, pcm.sampleRate, true);
  view.setUint32(28, pcm.sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  id(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.samples.length; i++) view.setInt16(44 + i * 2, pcm.samples[i] as number, true);
  return out;
}

export function durationMs(pcm: MonoPcm): number {
  return Math.round((pcm.samples.length * 1000) / pcm.sampleRate);
}
