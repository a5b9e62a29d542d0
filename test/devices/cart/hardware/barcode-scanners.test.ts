import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanEvent } from '../../../../devices/cart/hardware/barcode-scanner.ts';
import {
  EvdevBarcodeScanner,
  inputEvent,
  KeyboardWedgeDecoder,
} from '../../../../devices/cart/hardware/evdev-barcode-scanner.ts';
import {
  SerialBarcodeScanner,
  type SerialPortLike,
  type SerialScannerOptions,
} from '../../../../devices/cart/hardware/serial-barcode-scanner.ts';
import { VirtualBarcodeScanner } from '../../../../devices/cart/hardware/virtual-barcode-scanner.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { captureLogs } from '../../../mocks/log-capture.ts';
import { eventually } from '../../../mocks/wait-for.ts';

const require = createRequire(import.meta.url);

interface MockBindingClass {
  new (options: object): unknown;
  createPort(path: string, options?: object): void;
  reset(): void;
}
const MockBinding = require('@serialport/binding-mock') as MockBindingClass;
const SerialPortStream = require('@serialport/stream') as new (
  path: string,
  options: object,
) => SerialPortLike & {
  binding: { emitData(data: Buffer | string): void; pendingRead: ((err?: Error) => void) | null };
};

/** GS1 mod-10 check digit validity (the basket's job; here to show what a substituted digit does). */
function gtinValid(code: string): boolean {
  const digits = code.split('').map(Number);
  const check = digits.pop() ?? 0;
  const sum = digits.reverse().reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

describe('barcode scanners', () => {
  describe('VirtualBarcodeScanner', () => {
    const GTIN = '6901234567892';

    it('reads a presented code after its latency, with the symbology its digits say', async () => {
      const clock = new FakeClock();
      const scanner = new VirtualBarcodeScanner(clock, { seed: 1, misreadRate: 0, latencyMs: 40 });
      await scanner.start();
      const scans: ScanEvent[] = [];
      scanner.onScan((s) => scans.push(s));
      assert.equal(gtinValid(GTIN), true);
      assert.equal(scanner.present(GTIN), 'read');
      clock.advance(39);
      assert.equal(scans.length, 0);
      clock.advance(1);
      assert.deepEqual(scans, [{ code: GTIN, symbology: 'ean-13', at: clock.now() }]);
      await scanner.stop();
    });

    it('misreads at the configured rate under a seed: mostly no-reads (nothing sent), some substituted digits', async () => {
      const clock = new FakeClock();
      const run = async (seed: number) => {
        const scanner = new VirtualBarcodeScanner(clock, {
          seed,
          misreadRate: 0.1,
          substitutionShare: 0.3,
          latencyMs: 0,
        });
        await scanner.start();
        const scans: ScanEvent[] = [];
        scanner.onScan((s) => scans.push(s));
        const outcomes = Array.from({ length: 4000 }, () => scanner.present(GTIN));
        clock.advance(0);
        await scanner.stop();
        return { outcomes, scans };
      };
      const { outcomes, scans } = await run(42);
      const count = (o: string) => outcomes.filter((x) => x === o).length;
      // 4000 × 0.1 × 0.7 = 280 no-reads and 120 substitutions expected; ±4 standard deviations.
      assert.ok(Math.abs(count('no-read') - 280) < 65, `no-reads ${count('no-read')}`);
      assert.ok(Math.abs(count('substituted') - 120) < 45, `substituted ${count('substituted')}`);
      assert.equal(scans.length, 4000 - count('no-read'), 'a no-read sends nothing; everything else is sent');
      const wrong = scans.filter((s) => s.code !== GTIN);
      assert.equal(wrong.length, count('substituted'));
      for (const scan of wrong) {
        assert.equal(scan.code.length, GTIN.length);
        assert.equal([...scan.code].filter((c, i) => c !== GTIN[i]).length, 1, 'exactly one digit differs');
        assert.equal(gtinValid(scan.code), false, `${scan.code} fails the check digit`);
      }
      assert.deepEqual((await run(42)).outcomes, outcomes, 'the same seed misreads the same way');
      assert.notDeepEqual((await run(43)).outcomes, outcomes);
    });

    it('never substitutes in a 2D member code: its misreads are all no-reads', async () => {
      const clock = new FakeClock();
      const scanner = new VirtualBarcodeScanner(clock, { seed: 5, misreadRate: 0.5, substitutionShare: 1 });
      await scanner.start();
      const outcomes = Array.from({ length: 200 }, () => scanner.present('CFM1.100234.123456'));
      assert.ok(outcomes.includes('no-read'));
      assert.ok(!outcomes.includes('substituted'));
      await scanner.stop();
      assert.equal(clock.pending, 0, 'stop() drops scans still in flight');
    });
  });

  describe('SerialBarcodeScanner (serialport stream on @serialport/binding-mock)', () => {
    const PATH = '/dev/ttyACM-scanner';
    const options: SerialScannerOptions = {
      path: PATH,
      baudRate: 9600,
      suffix: '\r\n',
      aimIds: true,
      reconnectMinMs: 500,
      reconnectMaxMs: 4000,
    };
    let clock: FakeClock;
    let ports: ReturnType<typeof openMock>[];
    let scanner: SerialBarcodeScanner;
    let scans: ScanEvent[];

    function openMock(path: string, baudRate: number) {
      return new SerialPortStream(path, { baudRate, autoOpen: false, binding: MockBinding });
    }

    beforeEach(() => {
      MockBinding.reset();
      clock = new FakeClock();
      ports = [];
      scans = [];
      scanner = new SerialBarcodeScanner(options, clock, captureLogs().log, (path, baud) => {
        const port = openMock(path, baud);
        ports.push(port);
        return port;
      });
      scanner.onScan((s) => scans.push(s));
    });

    afterEach(async () => {
      await scanner.stop();
      assert.equal(clock.pending, 0);
    });

    it('emits one scan per suffixed line, split across chunks, with the AIM identifier decoded', async () => {
      MockBinding.createPort(PATH);
      await scanner.start();
      await eventually(() => scanner.connected, 2000, 'port open');
      const port = ports[0];
      assert.ok(port);
      port.binding.emitData(']E0690123');
      port.binding.emitData('4567892\r\n]Q1CFM1.100234.123456\r\n');
      port.binding.emitData('\r\n'); // an empty line is not a scan
      await eventually(() => scans.length === 2, 2000, 'two scans');
      assert.deepEqual(
        scans.map(({ code, symbology }) => ({ code, symbology })),
        [
          { code: '6901234567892', symbology: 'ean-13' },
          { code: 'CFM1.100234.123456', symbology: 'qr' },
        ],
      );
    });

    it('drops line noise that never ends (a wrong baud rate) and reads the next good line', async () => {
      MockBinding.createPort(PATH);
      await scanner.start();
      await eventually(() => scanner.connected, 2000, 'port open');
      ports[0]?.binding.emitData(Buffer.alloc(600, 0x7e));
      ports[0]?.binding.emitData('\r\n]E06901234567892\r\n');
      await eventually(() => scans.length === 1, 2000, 'the good line');
      assert.equal(scans[0]?.code, '6901234567892');
    });

    it('reconnects after the scanner is unplugged, and when it was missing at start', async () => {
      const faults: string[] = [];
      scanner.on('fault', (err: { code: string }) => faults.push(err.code));
      await scanner.start(); // no port yet: a scanner left unplugged at boot
      await eventually(() => faults.length === 1, 2000, 'the fault');
      assert.deepEqual(faults, ['SCANNER_UNAVAILABLE']);
      MockBinding.createPort(PATH);
      await clock.advanceAsync(500);
      await eventually(() => scanner.connected, 2000, 'connected once plugged in');

      const disconnected = new Promise((resolve) => scanner.once('disconnected', resolve));
      // Unplugging: the pending read fails (not cancelled), which serialport reports as a disconnect.
      await eventually(() => ports.at(-1)?.binding.pendingRead, 2000, 'a pending read');
      ports.at(-1)?.binding.pendingRead?.(new Error('device unplugged'));
      await disconnected;
      assert.equal(scanner.connected, false);
      await clock.advanceAsync(500);
      await eventually(() => scanner.connected, 2000, 'reconnected');
      ports.at(-1)?.binding.emitData('4006381333931\r\n');
      await eventually(() => scans.length === 1, 2000, 'a scan after reconnecting');
      assert.deepEqual(scans[0]?.code, '4006381333931');
      assert.equal(faults.length, 1, 'one fault per outage, not one per retry');
    });
  });

  describe('keyboard-wedge scanner (Linux evdev)', () => {
    const KEY = { shift: 42, enter: 28, c: 46, f: 33, m: 50, dot: 52, one: 2, two: 3, zero: 11 };
    const press = (code: number) => [inputEvent(code, 1), inputEvent(code, 0)];

    it('decodes key presses with shift into lines ended by Enter, across partial reads', () => {
      const decoder = new KeyboardWedgeDecoder();
      const events = Buffer.concat([
        inputEvent(KEY.shift, 1),
        ...press(KEY.c),
        ...press(KEY.f),
        ...press(KEY.m),
        inputEvent(KEY.shift, 0),
        ...press(KEY.one),
        ...press(KEY.dot),
        inputEvent(0, 0, 0), // EV_SYN between reports
        ...press(KEY.two),
        inputEvent(KEY.zero, 2), // an auto-repeat is not a key press
        ...press(KEY.enter),
      ]);
      const lines = [...decoder.push(events.subarray(0, 100)), ...decoder.push(events.subarray(100))];
      assert.deepEqual(lines, ['CFM1.2']);
    });

    it('reads an event device file and scans what was typed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'evdev-'));
      const device = join(dir, 'usb-scanner-event-kbd');
      const digits = '4006381333931'.split('').map((d) => (d === '0' ? 11 : Number(d) + 1));
      writeFileSync(device, Buffer.concat([...digits.flatMap(press), ...press(KEY.enter)]));
      const clock = new FakeClock();
      const scanner = new EvdevBarcodeScanner(device, clock, captureLogs().log, 1000);
      const scans: ScanEvent[] = [];
      scanner.onScan((s) => scans.push(s));
      await scanner.start();
      await eventually(() => scans.length === 1, 2000, 'a scan');
      assert.deepEqual(scans[0], { code: '4006381333931', symbology: 'ean-13', at: clock.now() });
      await scanner.stop();
      assert.equal(clock.pending, 0);
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
