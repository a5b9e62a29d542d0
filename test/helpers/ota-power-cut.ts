import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashFile } from '../../ota/agent/artifact-download.ts';
import { type BootState, componentBoot, readBootState } from '../../ota/agent/boot-state.ts';
import { OTA_FAULT_ENV } from '../../ota/agent/fault-points.ts';
import type { OtaPaths } from '../../ota/agent/ota-paths.ts';
import { consistencyProblems } from '../../ota/agent/slot-transitions.ts';
import { UpdateJournal } from '../../ota/agent/update-journal.ts';
import { OTA_COMPONENTS } from '../../protocol/ota/index.ts';

export interface LauncherLine {
  msg?: string;
  signal?: string | null;
  pid?: number;
  slot?: string;
}

/**
 * The launcher as a real process group (`detached`): SIGKILL to the group is a power cut (launcher and runtime die at
 * the same instant, nothing runs on the way out). Its JSON log lines say when a runtime started and how one ended.
 */
export class LauncherProcess {
  readonly lines: LauncherLine[] = [];
  /** The last stderr lines (the launcher's and its runtime's), for a failure's message. */
  readonly stderrTail: string[] = [];
  /** How the launcher ended, once it has. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private exited = false;
  readonly done: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) {
        if (process.env.OTA_DEBUG) process.stdout.write(`${part}\n`);
        try {
          this.lines.push(JSON.parse(part) as LauncherLine);
        } catch {
          // a runtime's own stdout line
        }
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => {
      if (process.env.OTA_DEBUG) process.stderr.write(c);
      this.stderrTail.push(...c.split('\n').filter((line) => line.length > 0));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 20));
    });
    this.done = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        this.exited = true;
        resolve();
      }),
    );
  }

  static start(launcherMain: string, args: string[], fault: string | undefined): LauncherProcess {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LOG_LEVEL: 'info' };
    if (process.env.LIGHT_DEVICE_CONSOLE) env.LIGHT_DEVICE_CONSOLE = process.env.LIGHT_DEVICE_CONSOLE;
    if (fault) env[OTA_FAULT_ENV] = fault;
    const child = spawn(process.execPath, [launcherMain, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    return new LauncherProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** The group was killed by a fault point (the launcher is gone: the test cuts nothing itself). */
  get faultFired(): boolean {
    return this.exited;
  }

  /** Runtimes started so far by this launcher. */
  get boots(): number {
    return this.lines.filter((l) => l.msg === 'runtime started').length;
  }

  /** Cuts the power: launcher and runtime killed at once. */
  async powerCut(): Promise<void> {
    if (!this.exited) {
      try {
        process.kill(-(this.child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await this.done;
  }
}

/**
 * What must hold on the device's disk after any cut: boot-state readable and consistent for every component, the
 * software slot that will boot holding the bundle and artifact its record names, the journal (if any) readable.
 * Returns the problems (empty when all hold).
 */
export async function diskProblems(paths: OtaPaths): Promise<string[]> {
  const problems: string[] = [];
  const read = await readBootState(paths.bootState);
  if (!read.state) return read.problem === 'missing' ? [] : [`boot-state: ${read.message}`];
  const state = read.state;
  for (const component of OTA_COMPONENTS) {
    const boot = componentBoot(state, component);
    for (const p of consistencyProblems(boot, { activeRequired: component === 'software' }))
      problems.push(`${component}: ${p}`);
  }
  const software = state.components.software;
  const active = software.slots[software.active];
  if (active && !active.factory) {
    const dir = paths.slotDir('software', software.active);
    const bundle = join(dir, 'bundle.json');
    if (!existsSync(bundle)) problems.push(`software slot ${software.active} has no bundle.json`);
    else if (JSON.parse(readFileSync(bundle, 'utf8')).version !== active.version)
      problems.push(`software slot ${software.active} holds another version than its record`);
    const artifact = paths.slotArtifact('software', software.active);
    if (!existsSync(artifact)) problems.push(`software slot ${software.active} has no artifact`);
    else if ((await hashFile(artifact)).sha256 !== active.sha256)
      problems.push(`software slot ${software.active}'s artifact is not the one recorded`);
  }
  if (existsSync(paths.journal) && (await new UpdateJournal(paths.journal).read()) === null)
    problems.push('journal unreadable');
  return problems;
}

export async function bootStateOf(paths: OtaPaths): Promise<BootState | null> {
  return (await readBootState(paths.bootState)).state;
}
