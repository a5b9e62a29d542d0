import { windowState } from '../../../ota/rollout/maintenance-windows.ts';
import type { MaintenanceWindow } from '../../../protocol/api/rollouts.ts';

/**
 * The stores' maintenance windows as the engine asks about them: is a store's window open now. A closed store stays
 * closed until its next opening, so no cron is read again before then; an open one is read once per instant asked
 * (a pump asks for every pending device of a store at the same instant).
 */
export class StoreWindows {
  private readonly closedUntil = new Map<string, number>();
  private readonly lastAnswer = new Map<string, { at: number; open: boolean }>();

  constructor(
    private readonly windows: Map<string, MaintenanceWindow[]>,
    private readonly timeZoneOf: (storeId: string) => string | undefined,
  ) {}

  changed(storeId: string, windows: MaintenanceWindow[]): void {
    this.windows.set(storeId, windows);
    this.closedUntil.delete(storeId);
    this.lastAnswer.delete(storeId);
  }

  /** A device without a store, or a store without windows or zone, is never in a window. */
  isOpen(storeId: string | null, now: number): boolean {
    if (storeId === null || now < (this.closedUntil.get(storeId) ?? 0)) return false;
    const last = this.lastAnswer.get(storeId);
    if (last?.at === now) return last.open;
    const zone = this.timeZoneOf(storeId);
    const windows = this.windows.get(storeId);
    let open = false;
    if (zone && windows && windows.length > 0) {
      const state = windowState(windows, zone, now);
      open = state.open;
      if (!open) this.closedUntil.set(storeId, state.nextOpenAt ?? Number.POSITIVE_INFINITY);
    }
    this.lastAnswer.set(storeId, { at: now, open });
    return open;
  }
}
