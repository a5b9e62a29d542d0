import assert from 'node:assert/strict';
import type five from 'johnny-five';
import {
  adcFromVolts,
  batteryPercentFromVoltage,
  CART_PINS,
  CartHardware,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../../../devices/cart/cart-hardware.ts';
import type { VirtualBoardIO } from '../../../devices/core/hardware/virtual-board-io.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { openVirtualBoard } from '../../mocks/virtual-board.ts';

const BATTERY_CHANNEL = 0;
const TEMPERATURE_CHANNEL = 1;

function assertClose(actual: number, expected: number, tolerance = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);
}

describe('cart hardware', () => {
  describe('conversions', () => {
    it('maps the LiFePO4 pack voltage to a state of charge, clamped to 0-100', () => {
      assert.equal(batteryPercentFromVoltage(20.0), 0);
      assert.equal(batteryPercentFromVoltage(27.2), 100);
      assert.equal(batteryPercentFromVoltage(23.6), 50);
      assert.equal(batteryPercentFromVoltage(12), 0);
      assert.equal(batteryPercentFromVoltage(29), 100);
      assert.equal(voltageFromBatteryPercent(0), 20.0);
      assert.equal(voltageFromBatteryPercent(100), 27.2);
      assert.equal(voltageFromBatteryPercent(150), 27.2);
      assert.equal(voltageFromBatteryPercent(-10), 20.0);
    });

    it('round-trips every whole percentage through the voltage', () => {
      for (let pct = 0; pct <= 100; pct++) {
        assert.equal(batteryPercentFromVoltage(voltageFromBatteryPercent(pct)), pct, `${pct} %`);
      }
    });

    it('gives the raw ADC reading of a TMP36 (500 mV at 0 °C, 10 mV/°C, 5 V full scale)', () => {
      assertClose(tmp36RawFromCelsius(0), 102.3);
      assertClose(tmp36RawFromCelsius(25), 153.45);
      assertClose(tmp36RawFromCelsius(-40), 20.46);
      assert.ok(tmp36RawFromCelsius(60) > tmp36RawFromCelsius(59));
    });

    it('scales volts to the 30 V divider of the battery input', () => {
      assert.equal(adcFromVolts(30), 1023);
      assert.equal(adcFromVolts(0), 0);
      assert.equal(adcFromVolts(15), 511.5);
      assert.equal(adcFromVolts(2.5, 5), 511.5);
    });
  });

  describe('CartHardware on the virtual board', () => {
    let board: five.Board;
    let io: VirtualBoardIO;
    let hardware: CartHardware;
    let clock: FakeClock;

    beforeEach(async () => {
      ({ board, io } = await openVirtualBoard());
      clock = new FakeClock();
      hardware = new CartHardware(board, clock);
      await hardware.start();
    });

    afterEach(() => {
      hardware.stop(); // disables both sensors and the locate LED
    });

    it('reads the battery percentage set by the simulator', () => {
      for (const pct of [0, 12, 50, 87, 100]) {
        io.setAnalogInput(BATTERY_CHANNEL, adcFromVolts(voltageFromBatteryPercent(pct)));
        assert.equal(hardware.batteryPercent(), pct, `${pct} %`);
      }
      io.setAnalogInput(BATTERY_CHANNEL, adcFromVolts(23.6));
      assertClose(hardware.batteryVolts(), 23.6, 0.03);
    });

    it('reads the board temperature within the ADC resolution', () => {
      for (const celsius of [-10, 0, 21.5, 25, 48]) {
        io.setAnalogInput(TEMPERATURE_CHANNEL, tmp36RawFromCelsius(celsius));
        assertClose(hardware.temperatureC(), celsius, 0.5);
      }
    });

    it('keeps battery and temperature on their own channels', () => {
      io.setAnalogInput(BATTERY_CHANNEL, adcFromVolts(voltageFromBatteryPercent(80)));
      io.setAnalogInput(TEMPERATURE_CHANNEL, tmp36RawFromCelsius(30));
      assert.equal(hardware.batteryPercent(), 80);
      assertClose(hardware.temperatureC(), 30, 0.5);
    });

    it('reports docked while the dock contact is high', () => {
      assert.equal(hardware.docked(), false);
      io.setDigitalInput(CART_PINS.dockContact, true);
      assert.equal(hardware.docked(), true);
      io.setDigitalInput(CART_PINS.dockContact, false);
      assert.equal(hardware.docked(), false);
    });

    it('drives the backlight by PWM, clamping the percentage', () => {
      assert.equal(hardware.setBrightness(50), 50);
      assert.equal(io.outputValue(CART_PINS.backlight), 128);
      assert.equal(hardware.setBrightness(150), 100);
      assert.equal(io.outputValue(CART_PINS.backlight), 255);
      assert.equal(hardware.setBrightness(-3), 0);
      assert.equal(io.outputValue(CART_PINS.backlight), 0);
    });

    it('beeps every 250 ms while locating and stops, buzzer and ring off, after the given seconds', () => {
      const buzzer: number[] = [];
      io.on(`digital-write-${CART_PINS.buzzer}`, (value: number) => buzzer.push(value));
      hardware.startLocating(3);
      assert.equal(io.outputValue(CART_PINS.locateLed), 1, 'the ring is lit at once');
      assert.equal(buzzer.at(-1), 1, 'the buzzer sounds at once');
      buzzer.length = 0;
      clock.advance(250);
      assert.deepEqual(buzzer, [0]);
      clock.advance(2749);
      assert.deepEqual(buzzer, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0], 'one toggle per 250 ms for 2.75 s');
      assert.equal(clock.pending, 2, 'the beat and the end of locating are still set');
      clock.advance(1);
      assert.equal(io.outputValue(CART_PINS.locateLed), 0, 'the ring is off after 3 s');
      assert.equal(io.outputValue(CART_PINS.buzzer), 0, 'the buzzer is silent after 3 s');
      assert.equal(clock.pending, 0, 'no timer is left running');
      const afterStop = buzzer.length;
      clock.advance(10_000);
      assert.equal(buzzer.length, afterStop, 'no beep after locating ended');
    });

    it('starts over when asked to locate again, and stop() ends locating at once', () => {
      hardware.startLocating(3);
      clock.advance(2000);
      hardware.startLocating(3);
      clock.advance(2000);
      assert.equal(clock.pending, 2, 'still locating 4 s after the first call');
      clock.advance(1000);
      assert.equal(clock.pending, 0, 'done 3 s after the second call');
      assert.equal(io.outputValue(CART_PINS.locateLed), 0);

      hardware.startLocating(60);
      hardware.stop();
      assert.equal(clock.pending, 0, 'stop() clears the locate timers');
      assert.equal(io.outputValue(CART_PINS.buzzer), 0);
      assert.equal(io.outputValue(CART_PINS.locateLed), 0);
    });
  });
});
