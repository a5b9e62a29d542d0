import type { AttendantService } from '../fleet/attendants/attendant-service.ts';
import type { Logger } from '../platform/log.ts';

/**
 * The demo's floor staff: a request nobody answered in the console within `patienceMs` (an age check, a weight
 * mismatch, a shopper's call) is approved by a simulated attendant, so an unattended demo never stalls. A person
 * signed in to the console as an attendant or store manager gets there first.
 */
export class SimulatedAttendant {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly attendants: AttendantService,
    private readonly log: Logger,
    private readonly patienceMs = 20_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.round(), 2_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async round(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const open = this.attendants.list({ storeIds: null, state: 'open', limit: 50, offset: 0 });
      for (const request of open.items) {
        if (Date.now() - request.createdAt < this.patienceMs) continue;
        await this.attendants.resolve(
          request.id,
          'approve',
          { userId: 'sim-attendant', username: 'simulated attendant' },
          null,
          'approved by the demo’s simulated attendant',
        );
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'simulated attendant round failed');
    } finally {
      this.busy = false;
    }
  }
}
