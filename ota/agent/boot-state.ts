import { readFile } from 'node:fs/promises';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { type FromSchema, integer, nullable, object, oneOfValues } from '../../protocol/api/json-schema.ts';
import { sha256String } from '../../protocol/broadcast/manifest.ts';
import {
  OTA_COMPONENTS,
  OTA_FAILURE_REASONS,
  OTA_SLOTS,
  type OtaComponent,
  type OtaSlot,
  semverString,
} from '../../protocol/ota/index.ts';
import { writeFileDurably } from './durable-file.ts';

const jobId = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** What a slot holds: a verified release, installed completely. */
export const SlotRecordSchema = object(
  {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    version: semverString,
    sha256: sha256String,
    /** The software tree the launcher itself runs from (slot a until the first update overwrites it). */
    factory: { type: 'boolean' },
  },
  { optional: ['factory'] },
);
export type SlotRecord = FromSchema<typeof SlotRecordSchema>;

/** A slot switched to and not yet committed (Mender's `upgrade_available`, U-Boot's `bootcount`). */
export const TrialSchema = object({
  slot: oneOfValues(OTA_SLOTS),
  /** Boots of the trial that may still end before a commit; at 0 the next boot restores the previous slot. */
  bootsLeft: integer({ minimum: 0 }),
  healthCheckTimeoutSeconds: integer({ minimum: 1 }),
  jobId,
  executionNumber: integer({ minimum: 0 }),
  /** When the switch was made (the clock's ms). */
  switchedAt: integer({ minimum: 0 }),
});
export type Trial = FromSchema<typeof TrialSchema>;

export const RollbackSchema = object({
  jobId,
  executionNumber: integer({ minimum: 0 }),
  fromVersion: { type: 'string', maxLength: 64 },
  toVersion: { type: 'string', maxLength: 64 },
  reason: oneOfValues(OTA_FAILURE_REASONS),
  message: { type: 'string', maxLength: 1024 },
  at: integer({ minimum: 0 }),
});
export type Rollback = FromSchema<typeof RollbackSchema>;

export const ComponentBootSchema = object({
  active: oneOfValues(OTA_SLOTS),
  slots: object({ a: nullable(SlotRecordSchema), b: nullable(SlotRecordSchema) }),
  /** A slot being written: never selected, emptied and written again before it is used. */
  dirty: nullable(oneOfValues(OTA_SLOTS)),
  trial: nullable(TrialSchema),
  lastRollback: nullable(RollbackSchema),
});
export type ComponentBoot = FromSchema<typeof ComponentBootSchema>;

export const BootStateSchema = object({
  schema: { const: 1 },
  /** +1 on every write. */
  generation: integer({ minimum: 0 }),
  /**
   * `gallery` came with issue 11: a boot state written before it has none, and reads as an empty gallery component
   * (`componentBoot`), so an update of the agent never sends a device back to its factory slot.
   */
  components: object(
    {
      software: ComponentBootSchema,
      model: ComponentBootSchema,
      config: ComponentBootSchema,
      gallery: ComponentBootSchema,
    },
    { optional: ['gallery'] },
  ),
});
export type BootState = FromSchema<typeof BootStateSchema>;

// Compiled on first use and kept (immutable once made): the launcher reads boot-state every second during a trial.
let validator: SchemaValidator<BootState> | undefined;
function bootStateValidator(): SchemaValidator<BootState> {
  validator ??= new SchemaValidator<BootState>(BootStateSchema);
  return validator;
}

export function emptyComponentBoot(): ComponentBoot {
  return { active: 'a', slots: { a: null, b: null }, dirty: null, trial: null, lastRollback: null };
}

/** A device that never installed anything: every component on slot a, software's being the factory tree. */
export function initialBootState(factory: SlotRecord | null): BootState {
  const software = emptyComponentBoot();
  software.slots.a = factory ? { ...factory, factory: true } : null;
  return {
    schema: 1,
    generation: 0,
    components: { software, model: emptyComponentBoot(), config: emptyComponentBoot(), gallery: emptyComponentBoot() },
  };
}

export type BootStateRead =
  | { state: BootState; problem?: undefined }
  | { state: null; problem: 'missing' | 'unreadable'; message: string };

/**
 * Reads boot-state.json. It is only ever replaced atomically (writeFileDurably), so a torn file cannot happen on a
 * POSIX file system; an unreadable one (a disk fault, a hand edit) is reported, and the caller falls back to the
 * factory slot, as a bootloader falls back to its default environment when the CRC fails.
 */
export async function readBootState(path: string): Promise<BootStateRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { state: null, problem: missing ? 'missing' : 'unreadable', message: (err as Error).message };
  }
  try {
    const checked = bootStateValidator().check(JSON.parse(text));
    if (checked.ok) return { state: checked.value };
    return { state: null, problem: 'unreadable', message: checked.reason };
  } catch (err) {
    return { state: null, problem: 'unreadable', message: (err as Error).message };
  }
}

/** Writes the next generation of the boot state (the one commit point of every switch, commit and rollback). */
export async function writeBootState(path: string, state: BootState): Promise<BootState> {
  const next = { ...state, generation: state.generation + 1 };
  await writeFileDurably(path, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

export function componentBoot(state: BootState, component: OtaComponent): ComponentBoot {
  return state.components[component] ?? emptyComponentBoot();
}

export function withComponent(state: BootState, component: OtaComponent, boot: ComponentBoot): BootState {
  return { ...state, components: { ...state.components, [component]: boot } };
}

/** The slot's record, or null when it is empty or being written. */
export function usableSlot(boot: ComponentBoot, which: OtaSlot): SlotRecord | null {
  return boot.dirty === which ? null : boot.slots[which];
}

export { OTA_COMPONENTS };
