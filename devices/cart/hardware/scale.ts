import { EventEmitter } from 'node:events';
import { FleetError } from '../../../protocol/errors.ts';
import type { AdcSample, LoadCellAdc } from './nau7802.ts';
import { StabilityDetector } from './stability-detector.ts';

export interface ScaleCalibration {
  /** ADC counts per gram (from weighing a known mass). */
  countsPerGram: number;
  /** Counts the empty basket reads (factory zero; `tare()` replaces it). */
  offsetCounts: number;
}

export interface SettleOptions {
  /** The reading must stay within `settleSpreadGrams` for this long to count as settled. */
  settleWindowMs: number;
  settleSpreadGrams: number;
}

/** A settled reading: the basket's weight (integer grams, may be negative) and its change since the last one. */
export interface SettledWeight {
  grams: number;
  deltaGrams: number;
  at: number;
}

/**
 * The basket scale: a load-cell ADC (the NAU7802 driver, or any `LoadCellAdc`) turned into grams by a calibration,
 * with tare and a settle detector. Emits `settled` once the reading has stayed steady for the settle window (then
 * `reading()` answers), and `unsettled` as soon as it moves (an item landing, a hand in the basket, the cart pushed).
 * A settled weight that moved by less than the spread (a bump that changed nothing) is still reported, with its
 * small delta: the basket decides what is too small to matter. Weights are integer grams (plan decision 1).
 */
export class Scale extends EventEmitter {
  private readonly detector: StabilityDetector;
  private calibration: ScaleCalibration;
  private lastSettledGrams: number | undefined;
  private latest: AdcSample | undefined;
  private readonly onSample = (sample: AdcSample) => this.sample(sample);
  private readonly forwardFault = (err: FleetError) => this.emit('fault', err);

  constructor(
    private readonly adc: LoadCellAdc,
    calibration: ScaleCalibration,
    settle: SettleOptions,
  ) {
    super();
    this.calibration = { ...calibration };
    this.detector = new StabilityDetector({
      windowMs: settle.settleWindowMs,
      maxSpread: settle.settleSpreadGrams * calibration.countsPerGram,
    });
  }

  async start(): Promise<void> {
    this.adc.on('sample', this.onSample);
    this.adc.on('fault', this.forwardFault);
    await this.adc.start();
  }

  stop(): void {
    this.adc.off('sample', this.onSample);
    this.adc.off('fault', this.forwardFault);
    this.adc.stop();
    this.detector.reset();
  }

  get settled(): boolean {
    return this.detector.isStable;
  }

  /** The settled weight in grams; WEIGHT_NOT_SETTLED while the reading moves. */
  reading(): number {
    if (!this.detector.isStable) throw new FleetError('WEIGHT_NOT_SETTLED', 'the basket scale is not settled');
    return this.grams(this.detector.mean()[0] ?? 0);
  }

  /** The latest raw reading in grams, steady or not (for a live display, never for pricing). */
  liveGrams(): number | undefined {
    return this.latest ? this.grams(this.latest.counts) : undefined;
  }

  /** Zeroes the scale on what it holds now (an empty basket at the start of a trip); WEIGHT_NOT_SETTLED if moving. */
  tare(): void {
    if (!this.detector.isStable) throw new FleetError('WEIGHT_NOT_SETTLED', 'cannot tare while the scale moves');
    this.calibration.offsetCounts = this.detector.mean()[0] ?? this.calibration.offsetCounts;
    this.lastSettledGrams = 0;
  }

  onSettled(listener: (weight: SettledWeight) => void): () => void {
    this.on('settled', listener);
    return () => this.off('settled', listener);
  }

  onUnsettled(listener: (at: number) => void): () => void {
    this.on('unsettled', listener);
    return () => this.off('unsettled', listener);
  }

  onFault(listener: (err: FleetError) => void): () => void {
    this.on('fault', listener);
    return () => this.off('fault', listener);
  }

  private sample(sample: AdcSample): void {
    this.latest = sample;
    const change = this.detector.push(sample.at, [sample.counts]);
    if (!change) return;
    if (change.kind === 'unstable') {
      this.emit('unsettled', change.at);
      return;
    }
    const grams = this.grams(change.mean[0] ?? 0);
    const deltaGrams = grams - (this.lastSettledGrams ?? 0);
    this.lastSettledGrams = grams;
    this.emit('settled', { grams, deltaGrams, at: change.at } satisfies SettledWeight);
  }

  private grams(counts: number): number {
    // `+ 0` turns a -0 into 0.
    return Math.round((counts - this.calibration.offsetCounts) / this.calibration.countsPerGram) + 0;
  }
}
