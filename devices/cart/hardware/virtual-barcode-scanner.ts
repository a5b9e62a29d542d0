import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import { mulberry32 } from '../../../platform/seeded-random.ts';
import { type BarcodeScanner, decodeScannedLine, type ScanEvent } from './barcode-scanner.ts';

export interface VirtualScannerOptions {
  seed: number;
  /** Share of presentations that do not come out right (0-1). */
  misreadRate: number;
  /** Of those, the share that decodes with one digit wrong; the rest are no-reads. */
  substitutionShare: number;
  /** Time from presenting a code to the scan event. */
  latencyMs: number;
}

export const DEFAULT_VIRTUAL_SCANNER: Omit<VirtualScannerOptions, 'seed'> = {
  misreadRate: 0.05,
  substitutionShare: 0.2,
  latencyMs: 40,
};

/** What became of one presentation, for the simulated shopper (who rescans after a no-read, as people do). */
export type ScanOutcome = 'read' | 'no-read' | 'substituted';

/**
 * The simulator's scanner: `present(code)` is a shopper holding a barcode under it. Misreads as real 1D scanners
 * misread: mostly no read at all (a crumpled label, a bad angle: nothing is sent and the shopper tries again), now
 * and then a substituted digit (which the GTIN check digit catches: a mod-10 check detects every single-digit
 * error, so the basket refuses it with a coded error). 2D codes (member codes) carry Reed-Solomon error correction
 * and never decode wrong, so for them every misread is a no-read. Deterministic under `seed`.
 */
export class VirtualBarcodeScanner extends EventEmitter implements BarcodeScanner {
  private readonly options: VirtualScannerOptions;
  private readonly random: () => number;
  private readonly pending = new Set<TimerHandle>();
  private running = false;

  constructor(
    private readonly clock: Clock,
    options: Partial<VirtualScannerOptions> & { seed: number },
  ) {
    super();
    this.options = { ...DEFAULT_VIRTUAL_SCANNER, ...options };
    this.random = mulberry32(options.seed);
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.pending) this.clock.clearTimeout(timer);
    this.pending.clear();
  }

  onScan(listener: (scan: ScanEvent) => void): () => void {
    this.on('scan', listener);
    return () => this.off('scan', listener);
  }

  present(code: string): ScanOutcome {
    if (!this.running) return 'no-read';
    const { misreadRate, substitutionShare } = this.options;
    let outcome: ScanOutcome = 'read';
    let sent = code;
    if (this.random() < misreadRate) {
      const digits = /^\d+$/.test(code);
      outcome = digits && this.random() < substitutionShare ? 'substituted' : 'no-read';
      if (outcome === 'substituted') sent = this.substituteDigit(code);
    }
    if (outcome === 'no-read') return outcome;
    const decoded = decodeScannedLine(sent, false);
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(timer);
      this.emit('scan', { ...decoded, at: this.clock.now() } satisfies ScanEvent);
    }, this.options.latencyMs);
    this.pending.add(timer);
    return outcome;
  }

  private substituteDigit(code: string): string {
    const position = Math.floor(this.random() * code.length);
    const old = Number(code[position]);
    const replacement = (old + 1 + Math.floor(this.random() * 9)) % 10;
    return code.slice(0, position) + String(replacement) + code.slice(position + 1);
  }
}
