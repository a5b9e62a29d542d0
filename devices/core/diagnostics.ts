import type { DiagnosticCheck } from '../../protocol/commands.ts';

/** One check: whether it passed, and what was measured. Thrown errors count as a failed check. */
export type DiagnosticProbe = () => Omit<DiagnosticCheck, 'name'> | Promise<Omit<DiagnosticCheck, 'name'>>;

/**
 * The `diagnostics` command: checks the runtime core registers (board, broker, outbox, disk, memory) and the ones
 * each device kind adds (battery, temperature), run in order on request. Every check is measured now, not cached.
 */
export class Diagnostics {
  private readonly probes: { name: string; probe: DiagnosticProbe }[] = [];

  /** Adds a check; one with the same name replaces it. */
  add(name: string, probe: DiagnosticProbe): void {
    const existing = this.probes.findIndex((p) => p.name === name);
    if (existing >= 0) this.probes.splice(existing, 1, { name, probe });
    else this.probes.push({ name, probe });
  }

  async run(): Promise<DiagnosticCheck[]> {
    const checks: DiagnosticCheck[] = [];
    for (const { name, probe } of this.probes) {
      try {
        const { ok, detail } = await probe();
        checks.push({ name, ok, detail });
      } catch (err) {
        checks.push({ name, ok: false, detail: `check failed: ${(err as Error).message}` });
      }
    }
    return checks;
  }
}

/** A range check's answer: `ok` inside [min, max], with the value and its unit in the detail. */
export function inRange(value: number, min: number, max: number, unit: string): Omit<DiagnosticCheck, 'name'> {
  const ok = Number.isFinite(value) && value >= min && value <= max;
  return { ok, detail: `${value} ${unit} (plausible: ${min}-${max} ${unit})` };
}
