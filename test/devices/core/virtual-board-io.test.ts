import assert from 'node:assert/strict';
import five from 'johnny-five';
import { asSensor, type Sensor } from '../../../devices/core/hardware/johnny-five-types.ts';
import type { VirtualBoardIO } from '../../../devices/core/hardware/virtual-board-io.ts';
import { openVirtualBoard } from '../../mocks/virtual-board.ts';
import { waitFor } from '../../mocks/wait-for.ts';

describe('VirtualBoardIO with johnny-five', () => {
  let board: five.Board;
  let io: VirtualBoardIO;
  let sensors: Sensor[];

  beforeEach(async () => {
    ({ board, io } = await openVirtualBoard());
    sensors = [];
  });

  afterEach(() => {
    for (const sensor of sensors) sensor.disable();
  });

  function sensor(pin: string): Sensor {
    const s = asSensor(new five.Sensor({ pin, board, freq: 25 }));
    sensors.push(s);
    return s;
  }

  it('becomes ready as an Uno-like board', () => {
    assert.equal(io.isReady, true);
    assert.equal(io.pins.length, 20);
    assert.deepEqual(io.analogPins, [14, 15, 16, 17, 18, 19]);
    assert.equal(io.normalize('A3'), 3);
    assert.equal(io.normalize(7), 7);
  });

  it('lets a Sensor on A0 see the raw value set by the simulator', async () => {
    const a0 = sensor('A0');
    const a1 = sensor('A1');
    io.setAnalogInput(0, 512);
    // Reports arrive asynchronously, as from a Firmata board.
    await waitFor(() => a0.value === 512, 'A0 reads 512');
    await waitFor(() => a1.value === 0, 'other channels are untouched');

    io.setAnalogInput(0, 2000);
    await waitFor(() => a0.value === 1023, 'clamped to the 10-bit ADC');
    io.setAnalogInput(0, -5);
    await waitFor(() => a0.value === 0, 'clamped at 0');

    const seen: number[] = [];
    a0.on('change', () => seen.push(a0.value));
    io.setAnalogInput(0, 300.4);
    await waitFor(() => seen.includes(300), 'a change event with the new value');
  });

  it('reports the current analog value to a Sensor created after it was set', async () => {
    io.setAnalogInput(2, 777);
    const a2 = sensor('A2');
    await waitFor(() => a2.value === 777, 'A2 reads 777');
  });

  it('reports a Switch on pin 2 closed while the pin is driven high, with close and open events', async () => {
    const dock = new five.Switch({ pin: 2, board, invert: false } as five.SwitchOption);
    const events: string[] = [];
    dock.on('close', () => events.push('close'));
    dock.on('open', () => events.push('open'));
    await waitFor(() => events.length > 0, "the initial read's event");
    events.length = 0;
    assert.equal(dock.isClosed, false);
    assert.equal(dock.isOpen, true);

    io.setDigitalInput(2, true);
    assert.equal(dock.isClosed, true);
    await waitFor(() => events.includes('close'), 'a close event');

    io.setDigitalInput(2, false);
    assert.equal(dock.isClosed, false);
    await waitFor(() => events.includes('open'), 'an open event');
    assert.deepEqual(events, ['close', 'open']);
  });

  it('sets output pin 13 when an Led turns on and off', () => {
    const led = new five.Led({ pin: 13, board });
    assert.equal(io.pins[13]?.mode, io.MODES.OUTPUT);
    assert.equal(io.outputValue(13), 0);
    led.on();
    assert.equal(io.outputValue(13), 1);
    led.off();
    assert.equal(io.outputValue(13), 0);
  });

  it('writes PWM values to a PWM-capable pin', () => {
    const led = new five.Led({ pin: 9, board });
    led.brightness(128);
    assert.equal(io.outputValue(9), 128);
  });

  it('does not change the simulated level of an input pin on digitalWrite', () => {
    io.pinMode(2, io.MODES.INPUT);
    io.setDigitalInput(2, false);
    io.digitalWrite(2, 1);
    assert.equal(io.pins[2]?.value, 0);
    io.setDigitalInput(2, true);
    io.digitalWrite(2, 0);
    assert.equal(io.pins[2]?.value, 1);

    io.pinMode(4, io.MODES.OUTPUT);
    io.digitalWrite(4, 1);
    assert.equal(io.outputValue(4), 1, 'an output pin does take the write');
  });

  it('keeps a normally-open Switch (pull-up write) at the level the simulator sets', () => {
    io.setDigitalInput(2, false);
    const dock = new five.Switch({ pin: 2, board }); // type NO: johnny-five writes HIGH to enable the pull-up
    assert.equal(io.pins[2]?.value, 0);
    io.setDigitalInput(2, true);
    assert.equal(dock.isOpen, true, 'inverted: high is open');
  });

  it('puts the analog pin, not the digital pin of the same number, into ANALOG mode', () => {
    new five.Switch({ pin: 2, board, invert: false } as five.SwitchOption);
    sensor('A2');
    assert.equal(io.pins[2]?.mode, io.MODES.INPUT, 'digital pin 2 stays an input');
    assert.equal(io.pins[16]?.mode, io.MODES.ANALOG);
    io.setDigitalInput(2, false);
    io.digitalWrite(2, 1);
    assert.equal(io.pins[2]?.value, 0);
  });

  it('stops delivering readings after reset()', () => {
    const a0 = sensor('A0');
    io.setAnalogInput(0, 100);
    io.reset();
    io.setAnalogInput(0, 900);
    assert.equal(a0.value, 100);
  });
});
