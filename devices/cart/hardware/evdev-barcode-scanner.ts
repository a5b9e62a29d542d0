import { EventEmitter } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { type BarcodeScanner, decodeScannedLine, type ScanEvent } from './barcode-scanner.ts';

/**
 * Linux `struct input_event` on a 64-bit kernel (linux/input.h): struct timeval (two 8-byte longs), __u16 type,
 * __u16 code, __s32 value: 24 bytes, little-endian on x86-64 and arm64.
 */
export const INPUT_EVENT_SIZE = 24;
const EV_KEY = 1;
const KEY_PRESS = 1;

/** linux/input-event-codes.h key codes → the US-layout character, unshifted and shifted. */
const KEYS: Readonly<Record<number, [string, string]>> = (() => {
  const map: Record<number, [string, string]> = {};
  '1234567890'.split('').forEach((c, i) => {
    map[2 + i] = [c, '!@#$%^&*()'[i] ?? c];
  });
  const rows: [number, string][] = [
    [16, 'qwertyuiop'],
    [30, 'asdfghjkl'],
    [44, 'zxcvbnm'],
  ];
  for (const [start, letters] of rows)
    letters.split('').forEach((c, i) => {
      map[start + i] = [c, c.toUpperCase()];
    });
  Object.assign(map, {
    12: ['-', '_'],
    13: ['=', '+'],
    26: ['[', '{'],
    27: [']', '}'],
    39: [';', ':'],
    40: ["'", '"'],
    41: ['`', '~'],
    43: ['\\', '|'],
    51: [',', '<'],
    52: ['.', '>'],
    53: ['/', '?'],
    57: [' ', ' '],
  });
  // Keypad digits (some scanners send these): KP7 71 ... KP0 82.
  const keypad: [number, string][] = [
    [71, '7'],
    [72, '8'],
    [73, '9'],
    [75, '4'],
    [76, '5'],
    [77, '6'],
    [79, '1'],
    [80, '2'],
    [81, '3'],
    [82, '0'],
    [83, '.'],
  ];
  for (const [code, c] of keypad) map[code] = [c, c];
  return map;
})();
const KEY_ENTER = 28;
const KEY_KPENTER = 96;
const KEY_TAB = 15;
const SHIFTS = new Set([42, 54]);

/**
 * Turns the key events of a keyboard-wedge scanner into lines: key presses typed with the US layout, a line ended by
 * Enter (or Tab). Shift is tracked from its own press and release events.
 */
export class KeyboardWedgeDecoder {
  private pending = Buffer.alloc(0);
  private shift = false;
  private line = '';

  /** Feeds raw bytes from the event device; returns the lines completed. */
  push(bytes: Buffer): string[] {
    const lines: string[] = [];
    let data = Buffer.concat([this.pending, bytes]);
    while (data.length >= INPUT_EVENT_SIZE) {
      const type = data.readUInt16LE(16);
      const code = data.readUInt16LE(18);
      const value = data.readInt32LE(20);
      data = data.subarray(INPUT_EVENT_SIZE);
      if (type !== EV_KEY) continue;
      if (SHIFTS.has(code)) {
        this.shift = value !== 0;
        continue;
      }
      if (value !== KEY_PRESS) continue; // releases and auto-repeats
      if (code === KEY_ENTER || code === KEY_KPENTER || code === KEY_TAB) {
        if (this.line.length > 0) lines.push(this.line);
        this.line = '';
        continue;
      }
      const key = KEYS[code];
      if (key) this.line += this.shift ? key[1] : key[0];
    }
    this.pending = Buffer.from(data);
    return lines;
  }
}

/** One key event, as the kernel writes it (for tests and the simulator). */
export function inputEvent(code: number, value: number, type = EV_KEY): Buffer {
  const event = Buffer.alloc(INPUT_EVENT_SIZE);
  event.writeUInt16LE(type, 16);
  event.writeUInt16LE(code, 18);
  event.writeInt32LE(value, 20);
  return event;
}

/**
 * A USB HID barcode scanner in keyboard-wedge mode, read from its Linux event device
 * (`/dev/input/by-id/usb-...-event-kbd`) with plain file reads, no native addon. What it cannot do without one:
 * grab the device (EVIOCGRAB is an ioctl), so the keystrokes also reach whatever has keyboard focus on the cart
 * (run the cart screen without a text field focused, or set the scanner to serial/USB-CDC mode, which is better);
 * read the symbology (a wedge sends only the data); handle a layout other than US. Needs read access to the device
 * (the `input` group). Reopens every `retryMs` when the scanner is unplugged or missing.
 */
export class EvdevBarcodeScanner extends EventEmitter implements BarcodeScanner {
  private stream: ReadStream | undefined;
  private running = false;
  private retryTimer: TimerHandle | undefined;

  constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retryMs = 2000,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.running = true;
    this.open();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const stream = this.stream;
    this.stream = undefined;
    stream?.removeAllListeners();
    stream?.on('error', () => {});
    stream?.destroy();
  }

  onScan(listener: (scan: ScanEvent) => void): () => void {
    this.on('scan', listener);
    return () => this.off('scan', listener);
  }

  private open(): void {
    if (!this.running) return;
    const decoder = new KeyboardWedgeDecoder();
    const stream = createReadStream(this.path, { highWaterMark: INPUT_EVENT_SIZE * 64 });
    this.stream = stream;
    stream.on('data', (chunk) => {
      for (const line of decoder.push(chunk as Buffer))
        this.emit('scan', { ...decodeScannedLine(line, false), at: this.clock.now() } satisfies ScanEvent);
    });
    const lost = (err?: Error) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      stream.removeAllListeners();
      stream.on('error', () => {});
      stream.destroy();
      this.log.warn({ path: this.path, err: err?.message }, 'keyboard-wedge scanner unavailable; retrying');
      this.retryTimer = this.clock.setTimeout(() => this.open(), this.retryMs);
    };
    stream.on('error', lost);
    stream.on('end', () => lost());
  }
}
