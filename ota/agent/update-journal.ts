import { readFile, rm } from 'node:fs/promises';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { type FromSchema, integer, object, oneOfValues } from '../../protocol/api/json-schema.ts';
import { OTA_COMPONENTS, OTA_FAILURE_REASONS, OTA_SLOTS, OTA_STEPS } from '../../protocol/ota/index.ts';
import { fsyncDirectory, writeFileDurably } from './durable-file.ts';

/**
 * Where the agent is in a job. The steps a power cut can interrupt, and what the next boot does (docs/ota.md, agent):
 * - `started`: the job was taken (start-next); its document is checked again.
 * - `downloading`: the `.part` file is resumed.
 * - `installing`: the target slot is dirty in boot-state; it is emptied and written again.
 * - `switching`: boot-state says whether the switch happened (a trial on the target slot) or not (switch now).
 * - `rebooting` / `health-check`: boot-state's trial, commit or last rollback says what happened.
 * - `finished`: the outcome is known and waits to be reported (sent again until the fleet takes it).
 */
export const JOURNAL_STEPS = [
  'started',
  'downloading',
  'installing',
  'switching',
  'rebooting',
  'health-check',
  'finished',
] as const;
export type JournalStep = (typeof JOURNAL_STEPS)[number];

export const OutcomeSchema = object(
  {
    status: { type: 'string', enum: ['SUCCEEDED', 'FAILED', 'REJECTED'] },
    /** The step reported with it: `committed`, `rolled-back`, or where it stopped. */
    step: oneOfValues(OTA_STEPS),
    reason: oneOfValues(OTA_FAILURE_REASONS),
    message: { type: 'string' },
    logs: { type: 'array', items: { type: 'string' } },
  },
  { optional: ['reason', 'message', 'logs'] },
);
export type Outcome = FromSchema<typeof OutcomeSchema>;

export const JournalSchema = object(
  {
    schema: { const: 1 },
    jobId: { type: 'string', minLength: 1, maxLength: 64 },
    executionNumber: integer({ minimum: 0 }),
    /** The execution's version as last seen (a hint: a VersionMismatch answer corrects it). */
    versionNumber: integer({ minimum: 0 }),
    /** The job document as received: parsed and verified again on recovery, never trusted from here. */
    document: {},
    step: oneOfValues(JOURNAL_STEPS),
    component: oneOfValues(OTA_COMPONENTS),
    slot: oneOfValues(OTA_SLOTS),
    fromVersion: { type: 'string' },
    toVersion: { type: 'string' },
    /** The verified artifact, once downloaded. */
    artifactFile: { type: 'string' },
    outcome: OutcomeSchema,
  },
  { optional: ['component', 'slot', 'fromVersion', 'toVersion', 'artifactFile', 'outcome'] },
);
export type Journal = FromSchema<typeof JournalSchema>;

/** The agent's journal file: read at start, replaced atomically at each step, removed when the job is reported. */
export class UpdateJournal {
  private readonly validator = new SchemaValidator<Journal>(JournalSchema);

  constructor(private readonly path: string) {}

  /** The journal, or null when idle (or unreadable: then the job is asked about again from the fleet). */
  async read(): Promise<Journal | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      const checked = this.validator.check(JSON.parse(text));
      return checked.ok ? checked.value : null;
    } catch {
      return null;
    }
  }

  async write(journal: Journal): Promise<void> {
    await writeFileDurably(this.path, `${JSON.stringify(journal)}\n`);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
    await fsyncDirectory(this.path.slice(0, this.path.lastIndexOf('/')) || '/');
  }
}
