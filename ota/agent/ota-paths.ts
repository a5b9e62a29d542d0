import { join } from 'node:path';
import type { OtaComponent, OtaSlot } from '../../protocol/ota/index.ts';

/**
 * Where the agent keeps everything, under the device's `<dataDir>/ota` (config `ota.dir`):
 *
 * ```
 * boot-state.json                     the only commit point: active slot, slot contents, trial, last rollback
 * journal.json                        the job the agent is on and its step (absent when idle)
 * crash-log.txt                       the last stderr lines of a software slot that ended before its commit
 * downloads/<sha256>.part             an artifact being downloaded (resumed with Range)
 * downloads/<from>-<to>.delta.part    a delta being downloaded
 * slots/<component>/<a|b>/            a slot's contents (a software bundle unpacked, a model, a config)
 * slots/<component>/<a|b>.artifact    the verified artifact the slot was made from (a delta's base)
 * slots/<component>/<a|b>.release.json  its signed release (what `activate` and `selfTest` are given)
 * slots/software/node_modules         link to the platform's node_modules, found by ESM resolution from a slot
 * ```
 */
export class OtaPaths {
  constructor(readonly root: string) {}

  get bootState(): string {
    return join(this.root, 'boot-state.json');
  }

  get journal(): string {
    return join(this.root, 'journal.json');
  }

  get crashLog(): string {
    return join(this.root, 'crash-log.txt');
  }

  get downloads(): string {
    return join(this.root, 'downloads');
  }

  partFile(sha256: string): string {
    return join(this.downloads, `${sha256}.part`);
  }

  deltaPartFile(fromSha256: string, toSha256: string): string {
    return join(this.downloads, `${fromSha256}-${toSha256}.delta.part`);
  }

  componentDir(component: OtaComponent): string {
    return join(this.root, 'slots', component);
  }

  slotDir(component: OtaComponent, slot: OtaSlot): string {
    return join(this.componentDir(component), slot);
  }

  slotArtifact(component: OtaComponent, slot: OtaSlot): string {
    return join(this.componentDir(component), `${slot}.artifact`);
  }

  slotRelease(component: OtaComponent, slot: OtaSlot): string {
    return join(this.componentDir(component), `${slot}.release.json`);
  }

  get nodeModulesLink(): string {
    return join(this.componentDir('software'), 'node_modules');
  }
}

/** The other slot. */
export function otherSlot(slot: OtaSlot): OtaSlot {
  return slot === 'a' ? 'b' : 'a';
}
