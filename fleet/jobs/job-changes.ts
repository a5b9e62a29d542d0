import { deadlineOf, isReportedChange, publicExecution } from './execution-rules.ts';
import type { JobRepository, StoredExecution } from './job-repository.ts';
import type { JobExecution, JobExecutionStatus } from './ports.ts';

/** A change the port reports to its listeners. */
export interface ExecutionChange {
  execution: JobExecution;
  previousStatus: JobExecutionStatus | null;
}

/** A thing's pending list before and after a transaction: what decides its notifications. */
export interface PendingChange {
  thingName: string;
  before: StoredExecution[];
  after: StoredExecution[];
}

/** What one transaction changed, handed from inside it to what runs once it has committed. */
export interface Committed {
  pending: PendingChange[];
  changes: ExecutionChange[];
  /** The earliest deadline a timer of a changed execution waits for, `null` if none. */
  earliestDeadline: number | null;
}

/**
 * Collects the changes of one transaction: every execution written goes through it, so that each thing's pending
 * list is read once before its first change and once at the end, and every reported change is kept in order.
 */
export class ChangeSet {
  private readonly before = new Map<string, StoredExecution[]>();
  private readonly changes: ExecutionChange[] = [];
  private earliestDeadline: number | null = null;

  constructor(private readonly repository: JobRepository) {}

  insert(next: StoredExecution): void {
    this.touch(next.thingName);
    this.repository.insertExecution(next);
    this.record(null, next);
  }

  save(previous: StoredExecution, next: StoredExecution): void {
    // A thing's pending list is ordered by status, then queue time: an update that keeps the status (new status
    // details, a step timer) changes neither which executions it holds nor which is first, so it notifies nothing.
    if (previous.status !== next.status) this.touch(next.thingName);
    this.repository.saveExecution(next);
    this.record(previous, next);
  }

  /** Reads each touched thing's pending list again; call inside the transaction, after the last change. */
  finish(): Committed {
    return {
      pending: [...this.before].map(([thingName, before]) => ({
        thingName,
        before,
        after: this.repository.pendingOf(thingName),
      })),
      changes: this.changes,
      earliestDeadline: this.earliestDeadline,
    };
  }

  /** Reads the thing's pending list before its first change in this transaction (deletions call it themselves). */
  touch(thingName: string): void {
    if (!this.before.has(thingName)) this.before.set(thingName, this.repository.pendingOf(thingName));
  }

  private record(previous: StoredExecution | null, next: StoredExecution): void {
    const deadline = deadlineOf(next);
    if (deadline !== null && (this.earliestDeadline === null || deadline < this.earliestDeadline))
      this.earliestDeadline = deadline;
    if (isReportedChange(previous, next))
      this.changes.push({ execution: publicExecution(next), previousStatus: previous?.status ?? null });
  }
}
