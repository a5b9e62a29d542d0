import { readFile } from 'node:fs/promises';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import {
  type ComponentSlots,
  type OtaComponent,
  type OtaReported,
  type OtaSlot,
  type SignedRelease,
  SignedReleaseSchema,
} from '../../protocol/ota/index.ts';
import {
  type BootState,
  type ComponentBoot,
  componentBoot,
  initialBootState,
  readBootState,
  type SlotRecord,
  usableSlot,
  withComponent,
  writeBootState,
} from './boot-state.ts';
import { writeFileDurably } from './durable-file.ts';
import type { OtaPaths } from './ota-paths.ts';

/**
 * The agent's copy of boot-state.json: read once at start, and every change written through (writeBootState, the
 * commit point) before it is used. The launcher reads the same file fresh before each boot and writes it only while
 * no runtime runs, so the two never write at once.
 */
export class SlotStore {
  private state: BootState | undefined;
  private readonly releases = new SchemaValidator<SignedRelease>(SignedReleaseSchema);

  constructor(
    readonly paths: OtaPaths,
    private readonly log: Logger,
  ) {}

  /** Reads boot-state (a missing one is made: software on its factory slot); an unreadable one falls back alike. */
  async load(factory: () => Promise<SlotRecord | null>): Promise<BootState> {
    const read = await readBootState(this.paths.bootState);
    if (read.state) {
      this.state = read.state;
      return read.state;
    }
    if (read.problem === 'unreadable')
      this.log.error({ err: read.message }, 'boot-state.json is unreadable: starting over from the factory slot');
    this.state = await writeBootState(this.paths.bootState, initialBootState(await factory()));
    return this.state;
  }

  get current(): BootState {
    if (!this.state) throw new Error('SlotStore used before load()');
    return this.state;
  }

  component(component: OtaComponent): ComponentBoot {
    return componentBoot(this.current, component);
  }

  /** Writes one component's new boot state (durably) and keeps it. */
  async save(component: OtaComponent, boot: ComponentBoot): Promise<void> {
    this.state = await writeBootState(this.paths.bootState, withComponent(this.current, component, boot));
  }

  /** What the component runs now (for software: the factory record until the first update). */
  active(component: OtaComponent): SlotRecord | null {
    const boot = this.component(component);
    return usableSlot(boot, boot.active);
  }

  slotDir(component: OtaComponent, slot: OtaSlot): string {
    return this.paths.slotDir(component, slot);
  }

  /** The signed release a slot was installed from, or null (the factory tree, an empty slot, a damaged file). */
  async release(component: OtaComponent, slot: OtaSlot): Promise<SignedRelease | null> {
    try {
      const checked = this.releases.check(JSON.parse(await readFile(this.paths.slotRelease(component, slot), 'utf8')));
      return checked.ok ? checked.value : null;
    } catch {
      return null;
    }
  }

  async saveRelease(component: OtaComponent, slot: OtaSlot, release: SignedRelease): Promise<void> {
    await writeFileDurably(this.paths.slotRelease(component, slot), JSON.stringify(release));
  }

  /** `reported` of the named shadow `ota`: each component's slots, the job and step, the latest rollback. */
  reported(job: OtaReported['job']): OtaReported {
    const components: OtaReported['components'] = {};
    let lastRollback: OtaReported['lastRollback'] = null;
    for (const [name, boot] of Object.entries(this.current.components) as [OtaComponent, ComponentBoot][]) {
      const slots: ComponentSlots = {
        active: boot.active,
        a: content(usableSlot(boot, 'a')),
        b: content(usableSlot(boot, 'b')),
        trial: boot.trial?.slot ?? null,
      };
      components[name] = slots;
      const rollback = boot.lastRollback;
      if (rollback && (lastRollback === null || rollback.at > lastRollback.at))
        lastRollback = {
          component: name,
          fromVersion: rollback.fromVersion,
          toVersion: rollback.toVersion,
          reason: rollback.reason,
          at: rollback.at,
        };
    }
    return { components, job, lastRollback };
  }
}

function content(record: SlotRecord | null): ComponentSlots['a'] {
  return record ? { name: record.name, version: record.version, sha256: record.sha256 } : null;
}
