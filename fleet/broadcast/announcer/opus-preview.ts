import { spawn } from 'node:child_process';
import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';
import { FleetError } from '../../../protocol/errors.ts';

/**
 * A preview in the device format (Ogg/Opus, 48 kHz mono, 64 kbit/s): a tenth of the WAV's bytes for the console to
 * fetch, and what the speaker will play. Not normalised: a preview is heard before it is saved, and saving runs the
 * content library's normaliser. ffmpeg reads the WAV on stdin and writes the Ogg to stdout, no temp file.
 */
export function encodeOpusPreview(ffmpeg: string, wav: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'wav',
        '-i',
        'pipe:0',
        '-ac',
        '1',
        '-ar',
        String(DEVICE_AUDIO_FORMAT.sampleRate),
        '-c:a',
        'libopus',
        '-b:a',
        `${DEVICE_AUDIO_FORMAT.bitrateKbps}k`,
        '-f',
        'ogg',
        'pipe:1',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (err) => reject(new FleetError('FFMPEG_UNAVAILABLE', `ffmpeg: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(new Uint8Array(Buffer.concat(out)));
      else
        reject(
          new FleetError('TTS_FAILED', `ffmpeg could not encode the preview (exit ${code}): ${stderr.slice(-300)}`),
        );
    });
    // A closed stdin (ffmpeg died early) is reported by 'close' with its exit code.
    child.stdin.on('error', () => {});
    child.stdin.end(wav);
  });
}
