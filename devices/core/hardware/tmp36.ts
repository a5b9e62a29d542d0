/** TMP36 analog temperature sensor on a 5 V, 10-bit ADC: 10 mV/°C with 500 mV at 0 °C. */
export function celsiusFromTmp36Raw(raw: number): number {
  const volts = (raw / 1023) * 5;
  return Math.round((volts - 0.5) * 1000) / 10;
}

/** The ADC reading a TMP36 gives at `celsius` (for the simulator). */
export function tmp36RawFromCelsius(celsius: number): number {
  return ((celsius * 0.01 + 0.5) / 5) * 1023;
}
