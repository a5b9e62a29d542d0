import assert from 'node:assert/strict';
import { VirtualBoardIO } from '../../../devices/core/hardware/virtual-board-io.ts';
import { RegisterFileDevice } from '../../../devices/core/hardware/virtual-i2c-bus.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

/** A plain 16-register part: what is written is read back. */
class Registers extends RegisterFileDevice {
  constructor() {
    super(16);
  }
  get(register: number): number {
    return this.registers[register] ?? 0;
  }
}

describe('VirtualBoardIO I2C bus (firmata.js semantics, register-level parts)', () => {
  let clock: FakeClock;
  let io: VirtualBoardIO;
  let part: Registers;

  beforeEach(() => {
    clock = new FakeClock();
    io = new VirtualBoardIO({ clock });
    part = new Registers();
    io.attachI2cDevice(0x40, part);
  });

  afterEach(() => io.reset());

  it('takes every firmata.js write form, with the pointer auto-incrementing', () => {
    io.i2cWrite(0x40, [2, 0xa1, 0xa2]);
    io.i2cWrite(0x40, 5, [0xb1, 0xb2]);
    io.i2cWrite(0x40, 8, 0xc1);
    io.i2cWriteReg(0x40, 9, 0xd1);
    assert.deepEqual(
      [2, 3, 5, 6, 8, 9].map((r) => part.get(r)),
      [0xa1, 0xa2, 0xb1, 0xb2, 0xc1, 0xd1],
    );
  });

  it('answers a one-shot read after the call returns, with or without a register', async () => {
    io.i2cWrite(0x40, [0, 1, 2, 3, 4]);
    const replies: number[][] = [];
    io.i2cReadOnce(0x40, 1, 3, (bytes) => replies.push(bytes));
    assert.equal(replies.length, 0, 'not synchronously, as over Firmata');
    await Promise.resolve();
    assert.deepEqual(replies, [[2, 3, 4]]);
    io.i2cReadOnce(0x40, 1, (bytes) => replies.push(bytes)); // from the pointer, now at 4
    await Promise.resolve();
    assert.deepEqual(replies[1], [0]);
  });

  it('repeats continuous reads every sampling interval until i2cStop, and never answers for an absent part', async () => {
    io.setSamplingInterval(10);
    const seen: number[] = [];
    const absent: number[] = [];
    io.i2cRead(0x40, 0, 1, (bytes) => seen.push(bytes[0] ?? -1));
    io.i2cRead(0x41, 0, 1, (bytes) => absent.push(bytes[0] ?? -1));
    clock.advance(35);
    assert.equal(seen.length, 3);
    assert.deepEqual(absent, [], 'no part at 0x41: no reply, as a NACK gives none');
    assert.equal(io.i2cTransactions(0x41), 3, 'positive control: the reads of 0x41 were attempted');
    io.i2cStop({ address: 0x40 });
    io.i2cStop(0x41);
    clock.advance(100);
    assert.equal(seen.length, 3);
    assert.equal(clock.pending, 0, 'the shared timer is gone with the last continuous read');
  });
});
