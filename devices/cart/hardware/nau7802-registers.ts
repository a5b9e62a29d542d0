/**
 * The NAU7802's register map, as the driver (nau7802.ts) and the virtual part (virtual-nau7802.ts) both use it: one
 * table, so the model cannot drift from the driver. Nuvoton NAU7802 data sheet Rev 1.7 (January 2012), §10 "Summary
 * device register map" and §11 "Device register map details".
 */

/** The part's fixed 7-bit I2C address (it has no address pins: one NAU7802 per bus, or behind a mux). */
export const NAU7802_ADDRESS = 0x2a;

export const NAU7802_REG = {
  /** §11.1 REG0x00 PU_CTRL: power-up control and status. */
  PU_CTRL: 0x00,
  /** §11.2 REG0x01 CTRL1: PGA gain, LDO voltage, DRDY pin. */
  CTRL1: 0x01,
  /** §11.3 REG0x02 CTRL2: calibration mode and start, conversion rate, channel. */
  CTRL2: 0x02,
  /** REG0x03-0x05 OCAL1_B2..B0: channel 1 offset calibration (written by an internal calibration). */
  OCAL1_B2: 0x03,
  /** REG0x06-0x09 GCAL1_B3..B0: channel 1 gain calibration, 1.0 = 0x00800000. */
  GCAL1_B3: 0x06,
  /** REG0x12-0x14 ADCO_B2..B0: the latest conversion, 24-bit two's complement, most significant byte first. */
  ADCO_B2: 0x12,
  ADCO_B1: 0x13,
  ADCO_B0: 0x14,
  /** REG0x15 ADC: bits 5:4 REG_CHPS, the clock chopper (0b11 = off, as §9.1's power-on sequence sets it). */
  ADC: 0x15,
  /** REG0x1C PGA_PWR: bit 7 PGA_CAP_EN, the 330 pF decoupling capacitor on the unused channel 2 (§9 notes). */
  PGA_PWR: 0x1c,
  /** REG0x1F: device revision code; the low nibble reads 0xF. */
  REVISION: 0x1f,
} as const;

/** §11.1 PU_CTRL bits. */
export const PU_CTRL = {
  /** Register reset: 1 resets every register except RR; write 0 to leave reset. */
  RR: 1 << 0,
  /** Power up the digital circuit. */
  PUD: 1 << 1,
  /** Power up the analog circuit. */
  PUA: 1 << 2,
  /** Power-up ready (read only): the part is powered and may be configured. */
  PUR: 1 << 3,
  /** Cycle start: conversions run while set. */
  CS: 1 << 4,
  /** Cycle ready (read only): a conversion is in ADCO that has not been read; cleared by reading ADCO. */
  CR: 1 << 5,
  /** AVDD source: 1 = the internal LDO. */
  AVDDS: 1 << 7,
} as const;

/** §11.2 CTRL1 fields. */
export const CTRL1 = {
  GAINS_MASK: 0b111,
  /** GAINS: 0b000 = x1 ... 0b111 = x128. */
  GAIN_128: 0b111,
  VLDO_SHIFT: 3,
  /** VLDO: 0b100 = 3.3 V (0b000 = 4.5 V in 0.3 V steps down to 0b111 = 2.4 V). */
  VLDO_3V3: 0b100,
} as const;

/** §11.3 CTRL2 fields. */
export const CTRL2 = {
  CALMOD_MASK: 0b11,
  /** CALMOD 0b00: internal offset calibration (inputs shorted inside the part). */
  CALMOD_INTERNAL_OFFSET: 0b00,
  /** Start calibration; the part clears it when the calibration is done. */
  CALS: 1 << 2,
  /** Calibration error (read only), see §8.6.3. */
  CAL_ERR: 1 << 3,
  CRS_SHIFT: 4,
  CRS_MASK: 0b111 << 4,
  /** CRS 0b011 = 80 samples per second. */
  CRS_80SPS: 0b011,
} as const;

/** CRS code → samples per second (§11.3). */
export const CONVERSION_RATES: Readonly<Record<number, number>> = { 0: 10, 1: 20, 2: 40, 3: 80, 7: 320 };

/** The PGA gain a GAINS code selects (§11.2): 2^code. */
export function gainFromCode(code: number): number {
  return 2 ** (code & CTRL1.GAINS_MASK);
}

export const ADC_MIN = -(2 ** 23);
export const ADC_MAX = 2 ** 23 - 1;

/** Three ADCO bytes, most significant first, as a signed 24-bit value. */
export function signed24(b2: number, b1: number, b0: number): number {
  return (((b2 & 0xff) << 24) | ((b1 & 0xff) << 16) | ((b0 & 0xff) << 8)) >> 8;
}

/** The inverse: a value clamped to the 24-bit range as three bytes, most significant first. */
export function bytes24(value: number): [number, number, number] {
  const v = Math.max(ADC_MIN, Math.min(ADC_MAX, Math.round(value))) & 0xffffff;
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}
