import type { JobRepository } from './job-repository.ts';

/**
 * Parsed job documents by job id. A job's document never changes, and notify-next, start-next and describe all
 * carry it: it is parsed once per job, not once per answer. Forgotten when the job is deleted (its id may come back
 * with another document).
 */
export class JobDocuments {
  private readonly parsed = new Map<string, unknown>();

  constructor(private readonly repository: JobRepository) {}

  /** The job's document, `undefined` for a job that does not exist. */
  of(jobId: string): unknown {
    if (this.parsed.has(jobId)) return this.parsed.get(jobId);
    const text = this.repository.documentText(jobId);
    if (text === undefined) return undefined;
    const document: unknown = JSON.parse(text);
    this.parsed.set(jobId, document);
    return document;
  }

  forget(jobId: string): void {
    this.parsed.delete(jobId);
  }
}
