import type five from 'johnny-five';

/** johnny-five's Sensor as it is at run time (the published typings omit enable/disable). */
export type Sensor = five.Sensor & { disable(): void; enable(): void };

export function asSensor(sensor: five.Sensor): Sensor {
  return sensor as Sensor;
}
