import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { type BarcodeScanner, decodeScannedLine, type ScanEvent } from './barcode-scanner.ts';

/** The part of a `serialport` port the scanner uses (serialport 8's `@serialport/stream`). */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'close', listener: (err: (Error & { disconnected?: boolean }) | null) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(): this;
}

/** Makes a port, not yet open. The default uses the native serialport binding; tests pass `@serialport/binding-mock`. */
export type SerialPortFactory = (path: string, baudRate: number) => SerialPortLike;

export interface SerialScannerOptions {
  /** e.g. `/dev/serial/by-id/usb-Honeywell_...-if00` (a by-id path survives re-plugging into another port). */
  path: string;
  baudRate: number;
  /** What the scanner is set to send after each code. */
  suffix: '\r\n' | '\r' | '\n' | '\t';
  /** The scanner sends an AIM symbology identifier before each code. */
  aimIds: boolean;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

/** A line longer than this is line noise (a baud rate mismatch), not a barcode: dropped. */
const MAX_LINE = 512;

/**
 * A serial barcode scanner (a USB-CDC "virtual COM port" scanner, or RS-232): reads lines ended by the configured
 * suffix, strips an optional AIM identifier, and emits `scan`. Unplugging it closes the port (serialport reports a
 * disconnect); it reopens with a backoff until the scanner is back, as it does when the scanner is missing at start,
 * so `start()` never waits for hardware. `connected` / `disconnected` events tell the runtime.
 */
export class SerialBarcodeScanner extends EventEmitter implements BarcodeScanner {
  private port: SerialPortLike | undefined;
  private buffer = '';
  private running = false;
  private retryTimer: TimerHandle | undefined;
  private retryMs: number;
  private reportedDown = false;

  constructor(
    private readonly options: SerialScannerOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly openPort: SerialPortFactory = nativeSerialPort,
  ) {
    super();
    this.retryMs = options.reconnectMinMs;
  }

  get connected(): boolean {
    return this.port?.isOpen === true;
  }

  async start(): Promise<void> {
    this.running = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const port = this.port;
    this.port = undefined;
    if (!port) return;
    port.removeAllListeners();
    port.on('error', () => {}); // a close racing an unplug must not throw as an unhandled 'error'
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  onScan(listener: (scan: ScanEvent) => void): () => void {
    this.on('scan', listener);
    return () => this.off('scan', listener);
  }

  private connect(): void {
    if (!this.running) return;
    let port: SerialPortLike;
    try {
      port = this.openPort(this.options.path, this.options.baudRate);
    } catch (err) {
      this.failed(err as Error);
      return;
    }
    this.port = port;
    port.on('data', (chunk) => this.receive(chunk));
    port.on('error', (err) => this.log.warn({ err: err.message }, 'barcode scanner port error'));
    port.on('close', (err) => {
      if (this.port !== port) return;
      this.port = undefined;
      port.removeAllListeners();
      this.buffer = '';
      this.emit('disconnected', err?.message ?? 'closed');
      this.log.warn({ path: this.options.path, err: err?.message }, 'barcode scanner disconnected');
      this.scheduleRetry();
    });
    port.open((err) => {
      if (this.port !== port) return;
      if (err) {
        this.port = undefined;
        port.removeAllListeners();
        this.failed(err);
        return;
      }
      this.retryMs = this.options.reconnectMinMs;
      this.reportedDown = false;
      this.log.info({ path: this.options.path }, 'barcode scanner connected');
      this.emit('connected');
    });
  }

  private failed(err: Error): void {
    if (!this.reportedDown) {
      // Logged once per outage, not on every retry.
      this.reportedDown = true;
      const fault = new FleetError('SCANNER_UNAVAILABLE', `barcode scanner ${this.options.path}: ${err.message}`);
      this.log.warn({ code: fault.code, err: fault.message }, 'barcode scanner unavailable; retrying');
      this.emit('fault', fault);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running) return;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.options.reconnectMaxMs, this.retryMs * 2);
  }

  private receive(chunk: Buffer): void {
    // Scanners send ASCII (GS1 data may hold the GS separator, 0x1D): latin1 keeps every byte as one character.
    this.buffer += chunk.toString('latin1');
    const { suffix } = this.options;
    for (let end = this.buffer.indexOf(suffix); end >= 0; end = this.buffer.indexOf(suffix)) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + suffix.length);
      if (line.length === 0) continue;
      if (line.length > MAX_LINE) {
        this.log.warn({ bytes: line.length }, 'barcode scanner sent an overlong line (line noise?); dropped');
        continue;
      }
      this.emit('scan', { ...decodeScannedLine(line, this.options.aimIds), at: this.clock.now() } satisfies ScanEvent);
    }
    if (this.buffer.length > MAX_LINE) {
      this.log.warn({ bytes: this.buffer.length }, 'barcode scanner sent a line with no suffix; dropped');
      this.buffer = '';
    }
  }
}

/**
 * serialport 8 with its native binding, loaded only when a serial scanner is configured: the binding is a native
 * addon that may not be built (package.json `allowScripts`), and the simulator never needs it.
 */
function nativeSerialPort(path: string, baudRate: number): SerialPortLike {
  const require = createRequire(import.meta.url);
  const SerialPort = require('@serialport/stream') as new (path: string, options: object) => SerialPortLike;
  const binding = require('@serialport/bindings') as unknown;
  return new SerialPort(path, { baudRate, autoOpen: false, binding });
}
