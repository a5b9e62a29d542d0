import type five from 'johnny-five';

/** johnny-five's Sensor as it is at run time (the published typings omit enable/disable). */
export type Sensor = five.Sensor & { disable(): void; enable(): void };

export function asSensor(sensor: five.Sensor): Sensor {
  return sensor as Sensor;
}

/**
 * The I2C part of a johnny-five IO plugin (firmata.js, and VirtualBoardIO), which the published typings leave out.
 * Drivers written in this project talk to I2C parts through it (`board.io`), as johnny-five's own drivers do.
 */
export interface I2cIo {
  i2cConfig(options: { address: number; delay?: number }): unknown;
  i2cWrite(address: number, bytes: number[]): unknown;
  i2cReadOnce(address: number, register: number, length: number, handler: (bytes: number[]) => void): unknown;
  i2cStop?(options: { address: number }): unknown;
}

export function i2cIo(board: five.Board): I2cIo {
  return (board as unknown as { io: I2cIo }).io;
}
