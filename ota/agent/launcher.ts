import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import { CONFIG_EXIT_CODE, REBOOT_EXIT_CODE } from '../../platform/exit-codes.ts';
import type { Logger } from '../../platform/log.ts';
import { readBundleManifest } from '../bundle/extract-bundle.ts';
import { type BootState, type ComponentBoot, readBootState, withComponent, writeBootState } from './boot-state.ts';
import { writeFileDurably } from './durable-file.ts';
import { type FaultPoints, noFaults } from './fault-points.ts';
import { OTA_DIR_ENV, OTA_SLOT_ENV } from './launcher-env.ts';
import { ensureNodeModulesLink } from './node-modules-link.ts';
import { OtaPaths, otherSlot } from './ota-paths.ts';
import { countTrialBoot, rollBackTrial } from './slot-transitions.ts';

export interface LauncherOptions {
  /** The agent's directory (`<dataDir>/ota`): boot-state.json, the slots. */
  otaDir: string;
  /** The tree the launcher itself runs from: the factory install, slot a until the first update. */
  factoryDir: string;
  /** The runtime's entry in the factory tree when it has no bundle.json (e.g. `devices/cart/main.js`). */
  factoryEntry: string;
  /** The platform's node_modules, linked next to the slots. */
  nodeModules: string;
  nodePath: string;
  /** Before the entry (e.g. `--max-semi-space-size=4`). */
  nodeArgs: string[];
  /** After the entry (e.g. `--config cart.json`). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The runtime's stderr also goes to the launcher's own (the service's journal); tests turn it off. */
  echoStderr: boolean;
  /** stderr lines of a runtime that ended during its trial, kept in crash-log.txt for the agent's report. */
  crashLogLines: number;
  /** A trial not committed within its health-check time plus this is killed and rolled back. */
  watchdogGraceMs: number;
  /** Between restarts after a crash: doubling from min to max; a runtime that ran `stableMs` resets it. */
  restartMinMs: number;
  restartMaxMs: number;
  stableMs: number;
  /** How often boot-state is read while a trial runs (to see the commit). */
  pollMs: number;
}

/** Where a boot goes. */
interface BootChoice {
  slot: 'a' | 'b';
  dir: string;
  entry: string;
  trialJobId: string | undefined;
  trialDeadline: number | undefined;
}

/**
 * The device's "bootloader": a tiny supervisor that reads boot-state, picks the software slot (the factory tree is slot
 * a until an update overwrites it), starts `node <slot>/<entry> ...` with the slot in its environment, and starts it
 * again when it exits with REBOOT_EXIT_CODE (or crashes, after a back-off). While a trial is pending it counts the
 * boots that end before a commit (U-Boot's bootcount): none left restores the previous slot (OTA_CRASH_LOOP); a trial
 * not committed in its health-check time plus a grace is killed and rolled back (OTA_HEALTH_CHECK_TIMEOUT). The last
 * stderr lines of a runtime that ended during its trial go to crash-log.txt, for the agent's FAILED report.
 */
export class Launcher {
  private readonly paths: OtaPaths;
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartMs: number;
  private timer: TimerHandle | undefined;
  private poll: TimerHandle | undefined;
  private readonly stderr: string[] = [];
  private finish: (code: number) => void = () => {};
  /** Resolves with the launcher's exit code once it has nothing left to run. */
  readonly done: Promise<number>;

  constructor(
    private readonly options: LauncherOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly faults: FaultPoints = noFaults,
  ) {
    this.paths = new OtaPaths(options.otaDir);
    this.restartMs = options.restartMinMs;
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  async start(): Promise<void> {
    await ensureNodeModulesLink(this.paths.nodeModulesLink, this.options.nodeModules);
    await this.boot();
  }

  /** Forwards SIGTERM to the runtime and waits for it; resolves with its exit code. */
  async stop(): Promise<number> {
    this.stopping = true;
    this.clock.clearTimeout(this.timer);
    this.clock.clearInterval(this.poll);
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    else this.finish(0);
    return this.done;
  }

  /** The runtime's pid (tests kill it). */
  get childPid(): number | undefined {
    return this.child?.pid;
  }

  private async boot(): Promise<void> {
    if (this.stopping) return;
    const choice = await this.choose();
    this.faults.hit('launcher.counted');
    // stop() may have come while boot-state was read: nothing is started after it (a runtime started then would
    // outlive the launcher).
    if (this.stopping) {
      this.finish(0);
      return;
    }
    this.stderr.length = 0;
    const startedAt = this.clock.now();
    const env: NodeJS.ProcessEnv = {
      ...this.options.env,
      [OTA_SLOT_ENV]: choice.slot,
      [OTA_DIR_ENV]: this.options.otaDir,
    };
    const args = [...this.options.nodeArgs, join(choice.dir, choice.entry), ...this.options.args];
    const child = spawn(this.options.nodePath, args, { cwd: choice.dir, env, stdio: ['inherit', 'inherit', 'pipe'] });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (this.options.echoStderr) process.stderr.write(chunk);
      this.keepStderr(chunk);
    });
    if (choice.trialJobId !== undefined && choice.trialDeadline !== undefined)
      this.watch(choice.trialJobId, choice.trialDeadline);
    child.on('exit', (code, signal) => {
      this.clock.clearInterval(this.poll);
      this.poll = undefined;
      void this.exited(code, signal, choice, this.clock.now() - startedAt).catch((err) => {
        this.log.error({ err }, 'launcher failed after the runtime exited');
        this.finish(1);
      });
    });
    this.log.info({ slot: choice.slot, dir: choice.dir, pid: child.pid, trial: choice.trialJobId }, 'runtime started');
  }

  /** Reads boot-state, counts a trial boot (or rolls back a trial with none left), and says what to start. */
  private async choose(): Promise<BootChoice> {
    const read = await readBootState(this.paths.bootState);
    if (!read.state) {
      if (read.problem === 'unreadable') this.log.error({ err: read.message }, 'boot-state unreadable: factory slot');
      return this.factory(undefined, undefined);
    }
    let state: BootState = read.state;
    const counted = countTrialBoot(state.components.software, this.clock.now());
    if (counted.changed) {
      if (counted.rolledBack) this.log.warn('the trial ended before its commit on every boot it had: rolled back');
      state = await writeBootState(this.paths.bootState, withComponent(state, 'software', counted.boot));
    }
    let boot = state.components.software;
    for (let attempt = 0; attempt < 2; attempt++) {
      const choice = await this.slotChoice(boot);
      if (choice) return choice;
      // The chosen slot does not hold a startable bundle: a trial goes back; a committed slot falls to the other.
      if (boot.trial) {
        boot = rollBackTrial(boot, 'OTA_CRASH_LOOP', 'the new slot holds no startable bundle', this.clock.now());
      } else {
        const other = otherSlot(boot.active);
        if (boot.slots[other] === null || boot.dirty === other) break;
        boot = { ...boot, active: other };
      }
      state = await writeBootState(this.paths.bootState, withComponent(state, 'software', boot));
    }
    this.log.error('no slot holds a startable bundle: starting the factory tree');
    return this.factory(undefined, undefined);
  }

  private async slotChoice(boot: ComponentBoot): Promise<BootChoice | undefined> {
    const slot = boot.active;
    const record = boot.dirty === slot ? null : boot.slots[slot];
    const trial = boot.trial?.slot === slot ? boot.trial : undefined;
    const deadline = trial
      ? this.clock.now() + trial.healthCheckTimeoutSeconds * 1000 + this.options.watchdogGraceMs
      : undefined;
    if (slot === 'a' && (record === null || record.factory)) {
      if (record === null && boot.dirty !== 'a') return this.factory(trial?.jobId, deadline);
      if (record?.factory) return this.factory(trial?.jobId, deadline);
    }
    if (record === null) return undefined;
    const dir = this.paths.slotDir('software', slot);
    const bundle = await readBundleManifest(dir).catch(() => undefined);
    if (!bundle) return undefined;
    return { slot, dir, entry: bundle.entry, trialJobId: trial?.jobId, trialDeadline: deadline };
  }

  private async factory(trialJobId: string | undefined, deadline: number | undefined): Promise<BootChoice> {
    const dir = this.options.factoryDir;
    const bundle = existsSync(join(dir, 'bundle.json'))
      ? await readBundleManifest(dir).catch(() => undefined)
      : undefined;
    return { slot: 'a', dir, entry: bundle?.entry ?? this.options.factoryEntry, trialJobId, trialDeadline: deadline };
  }

  /** While a trial runs: the commit (boot-state without the trial) disarms; the deadline kills and rolls back. */
  private watch(jobId: string, deadline: number): void {
    this.clock.clearInterval(this.poll);
    this.poll = this.clock.setInterval(() => {
      void this.checkTrial(jobId, deadline);
    }, this.options.pollMs);
  }

  private async checkTrial(jobId: string, deadline: number): Promise<void> {
    const read = await readBootState(this.paths.bootState);
    const trial = read.state?.components.software.trial;
    if (!read.state || trial?.jobId !== jobId) {
      this.clock.clearInterval(this.poll);
      this.poll = undefined;
      return;
    }
    if (this.clock.now() < deadline) return;
    this.clock.clearInterval(this.poll);
    this.poll = undefined;
    this.log.warn({ jobId }, 'the trial did not commit in time: killing it and restoring the previous slot');
    const boot = rollBackTrial(
      read.state.components.software,
      'OTA_HEALTH_CHECK_TIMEOUT',
      'the new software did not pass its health check in time',
      this.clock.now(),
    );
    // The runtime is killed first: boot-state is then written by the launcher alone.
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    const now = await readBootState(this.paths.bootState);
    if (now.state?.components.software.trial?.jobId === jobId)
      await writeBootState(this.paths.bootState, withComponent(now.state, 'software', boot));
  }

  private async exited(code: number | null, signal: NodeJS.Signals | null, choice: BootChoice, ranMs: number) {
    this.child = undefined;
    if (choice.trialJobId !== undefined) {
      const read = await readBootState(this.paths.bootState);
      const stillTrial = read.state?.components.software.trial?.jobId === choice.trialJobId;
      const rolledBackByUs = read.state?.components.software.lastRollback?.jobId === choice.trialJobId;
      if (stillTrial || rolledBackByUs) await this.saveCrashLog(code, signal);
    }
    if (this.stopping) {
      this.finish(code ?? 0);
      return;
    }
    if (code === 0) {
      this.log.info('runtime ended: the launcher ends too');
      this.finish(0);
      return;
    }
    const trialPending = (await readBootState(this.paths.bootState)).state?.components.software.trial != null;
    if (code === CONFIG_EXIT_CODE && !trialPending) {
      this.log.error('runtime refused its config (exit 78): not restarting');
      this.finish(CONFIG_EXIT_CODE);
      return;
    }
    if (code === REBOOT_EXIT_CODE) {
      this.restartMs = this.options.restartMinMs;
      await this.boot();
      return;
    }
    if (ranMs >= this.options.stableMs) this.restartMs = this.options.restartMinMs;
    const wait = trialPending ? 0 : this.restartMs;
    this.restartMs = Math.min(this.restartMs * 2, this.options.restartMaxMs);
    this.log.warn({ code, signal, restartInMs: wait }, 'runtime ended unexpectedly: starting it again');
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.boot().catch((err) => {
        this.log.error({ err }, 'launcher could not start the runtime');
        this.finish(1);
      });
    }, wait);
  }

  private keepStderr(chunk: string): void {
    const lines = chunk.split('\n').filter((line) => line.length > 0);
    this.stderr.push(...lines);
    const extra = this.stderr.length - this.options.crashLogLines;
    if (extra > 0) this.stderr.splice(0, extra);
  }

  private async saveCrashLog(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    const lines = [...this.stderr, `(the runtime ended during its trial: ${how})`];
    await writeFileDurably(this.paths.crashLog, `${lines.join('\n')}\n`);
  }
}
