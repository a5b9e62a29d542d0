import type { Worker } from 'node:worker_threads';
import { STEPS } from '../ota-rollout.ts';
import type { FromRolloutDevices, ToRolloutDevices } from '../workers/rollout-devices.ts';
import { nextMessage } from './common.ts';

/** The device threads of bench/ota-rollout-fleet.ts (`workers/rollout-devices.ts`), driven together. */
export class DeviceThreads {
  private id = 0;

  constructor(
    private readonly workers: Worker[],
    private readonly deadlineMs: number,
  ) {}

  /**
   * Every device waits for a notify-next naming `jobId` (or a job id starting with it); resolves once all of them
   * listen, with `notified`: their arrival times. (Wrapped: an async function returning the promise itself would
   * wait for it.)
   */
  async expect(
    jobId: string,
    match: 'exact' | 'prefix',
  ): Promise<{ notified: Promise<{ arrivals: number[]; jobIds: Set<string> }> }> {
    const id = ++this.id;
    const listening = this.all((m) => m.type === 'expecting' && m.id === id, 'devices listening');
    const notified = this.all((m) => m.type === 'notified' && m.id === id, 'notifications', this.deadlineMs + 10_000);
    this.post({ type: 'expect', id, jobId, match, deadlineMs: this.deadlineMs });
    const result = notified.then((answers) => {
      const arrivals: number[] = [];
      const jobIds = new Set<string>();
      for (const m of answers) {
        if (m.type !== 'notified' || m.timedOut) throw new Error(`not every device was notified of ${jobId}`);
        arrivals.push(...m.arrivals);
        for (const j of m.jobIds) jobIds.add(j);
      }
      return { arrivals, jobIds };
    });
    // The caller awaits it unless something failed first; then that failure is the one to report.
    result.catch(() => {});
    await listening;
    return { notified: result };
  }

  /** Every device runs the job's steps; the first request sent and the last answer, over all threads. */
  async work(jobId: string): Promise<{ accepted: number; firstSentAt: number; lastAnswerAt: number }> {
    const id = ++this.id;
    const done = this.all((m) => m.type === 'worked' && m.id === id, `work on ${jobId}`, this.deadlineMs + 10_000);
    this.post({ type: 'work', id, jobId, steps: STEPS, deadlineMs: this.deadlineMs });
    let accepted = 0;
    let firstSentAt = Number.POSITIVE_INFINITY;
    let lastAnswerAt = 0;
    for (const m of await done) {
      if (m.type !== 'worked') continue;
      if (m.timedOut || m.rejected > 0)
        throw new Error(`${jobId}: ${m.rejected} rejected (${m.firstRejection}), timed out: ${m.timedOut}`);
      accepted += m.accepted;
      firstSentAt = Math.min(firstSentAt, m.firstSentAt);
      lastAnswerAt = Math.max(lastAnswerAt, m.lastAnswerAt);
    }
    return { accepted, firstSentAt, lastAnswerAt };
  }

  private post(m: ToRolloutDevices): void {
    for (const w of this.workers) w.postMessage(m);
  }

  private all(match: (m: FromRolloutDevices) => boolean, what: string, timeoutMs = 30_000) {
    return Promise.all(this.workers.map((w) => nextMessage<FromRolloutDevices>(w, match, timeoutMs, what)));
  }
}
