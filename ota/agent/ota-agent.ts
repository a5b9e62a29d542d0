import { mkdir } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { TERMINAL_EXECUTION_STATUSES } from '../../protocol/jobs-status.ts';
import type { OtaComponent, OtaStep } from '../../protocol/ota/index.ts';
import type { Keyring } from '../release/keyring.ts';
import { type AgentContext, AgentStopping, ExecutionEnded, type OtaAgentOptions } from './agent-context.ts';
import type { ArtifactDownloader } from './artifact-download.ts';
import type { SlotRecord } from './boot-state.ts';
import type { ComponentHandler, InstallGate } from './component-handler.ts';
import { removeStaleTemps } from './durable-file.ts';
import { type FaultPoints, noFaults } from './fault-points.ts';
import { JobReporter } from './job-reporter.ts';
import { JobRunner, type RunResult } from './job-runner.ts';
import { type JobExecution, type JobsChannel, JobsRequestError } from './jobs-channel.ts';
import type { OtaPaths } from './ota-paths.ts';
import type { HealthProbe, OtaShadowReporter, RecentLogs, SoftwareHost } from './ports.ts';
import type { DeviceIdentity } from './release-check.ts';
import { SlotStore } from './slot-store.ts';
import { countTrialBoot, rollBackTrial } from './slot-transitions.ts';
import { statusDetails } from './status-details.ts';
import { UpdateJournal } from './update-journal.ts';

export interface OtaAgentDeps {
  paths: OtaPaths;
  device: DeviceIdentity;
  /** The device's verify keys (config `ota.verifyKeys`). */
  keyring: Keyring;
  handlers: ComponentHandler[];
  gate: InstallGate;
  jobs: JobsChannel;
  downloader: ArtifactDownloader;
  probe: HealthProbe;
  shadow: OtaShadowReporter;
  /** How software restarts (the launcher, or in process); null when no software handler is given. */
  software: SoftwareHost | null;
  logs: RecentLogs;
  clock: Clock;
  log: Logger;
  faults?: FaultPoints;
  /** The factory software's record (slot a before the first update), asked once when boot-state is made. */
  factory: () => Promise<SlotRecord | null>;
  options: OtaAgentOptions;
}

/**
 * The device update agent (issue 10 items 5–7): takes OTA jobs through AWS IoT Jobs when the install gate is open,
 * runs each to its end with a JobRunner (verify, download, install into the inactive slot, switch, health check,
 * commit or roll back, report), and after any restart or power cut carries on from its journal and boot-state. One
 * job at a time, as AWS's notify-next / start-next hand them out. See docs/ota.md (agent).
 */
export class OtaAgent {
  private readonly ctx: AgentContext;
  private readonly runner: JobRunner;
  private running = false;
  private active: Promise<RunResult | undefined> | undefined;
  private again = false;
  private controller: AbortController | undefined;
  private currentJobId: string | undefined;
  /** A job notify-next announced while the gate was closed (reported as `waiting`). */
  private waitingJobId: string | undefined;
  private retryTimer: TimerHandle | undefined;
  private offs: (() => void)[] = [];
  private shadowJob: { jobId: string; step: OtaStep } | null = null;

  constructor(private readonly deps: OtaAgentDeps) {
    const store = new SlotStore(deps.paths, deps.log);
    const jobs = deps.jobs;
    this.ctx = {
      device: deps.device,
      keyring: deps.keyring,
      handlers: new Map(deps.handlers.map((h) => [h.component, h])),
      gate: deps.gate,
      jobs,
      reporter: new JobReporter(jobs, deps.clock, deps.log, deps.options.retryMs),
      downloader: deps.downloader,
      probe: deps.probe,
      shadow: deps.shadow,
      software: deps.software,
      logs: deps.logs,
      store,
      journal: new UpdateJournal(deps.paths.journal),
      faults: deps.faults ?? noFaults,
      clock: deps.clock,
      log: deps.log,
      options: deps.options,
      reportShadow: (job) => this.reportShadow(job),
    };
    this.runner = new JobRunner(this.ctx);
    this.runner.onEnded = (ended) => this.endRun(ended);
  }

  /** The slots, as boot-state has them (after start()). */
  get slots(): SlotStore {
    return this.ctx.store;
  }

  /** The job the agent reports in its shadow (running, or waiting for the gate), or null (the simulator's dock). */
  get job(): { jobId: string; step: OtaStep } | null {
    return this.shadowJob;
  }

  async start(): Promise<void> {
    const { store, jobs, gate } = this.ctx;
    await mkdir(this.deps.paths.root, { recursive: true });
    await removeStaleTemps(this.deps.paths.root);
    await store.load(this.deps.factory);
    await this.bootComponents();
    this.running = true;
    this.reportShadow(null);
    const software = this.ctx.software;
    const booted = software ? store.component('software').slots[software.bootedSlot] : null;
    if (booted) this.ctx.shadow.reportSoftwareVersion(booted.version);
    this.ctx.reporter.start();
    this.offs = [
      jobs.onReady(() => this.kick()),
      jobs.onNextChanged((execution) => this.onNextChanged(execution)),
      gate.onChange(() => this.kick()),
    ];
    jobs.start();
    this.ctx.log.debug({ journal: (await this.ctx.journal.read())?.step ?? null }, 'OTA agent started');
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.offs.splice(0)) off();
    this.ctx.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.controller?.abort(new AgentStopping());
    this.ctx.reporter.stop();
    this.ctx.jobs.stop();
    await this.active?.catch(() => undefined);
  }

  /** Runs drive() now, or once more after the run in progress. */
  private kick(): void {
    if (!this.running) return;
    if (this.active) {
      this.again = true;
      return;
    }
    const run = this.drive().catch((err) => {
      if (!(err instanceof AgentStopping)) this.ctx.log.error({ err }, 'OTA agent failed; will try again');
      this.retryLater();
      return undefined;
    });
    this.active = run;
    void run.then((result) => {
      this.active = undefined;
      if (result === 'restart') {
        this.restart();
        return;
      }
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Works through the journal's job (if any), then takes the next one while there are jobs and the gate is open. */
  private async drive(): Promise<RunResult | undefined> {
    const { journal } = this.ctx;
    if (!(await journal.read())) {
      const orphan = await this.resolveOrphanTrials();
      if (orphan === 'restart') return 'restart';
    }
    while (this.running) {
      const entry = (await journal.read()) ?? (await this.takeNextJob());
      if (!entry) return undefined;
      this.currentJobId = entry.jobId;
      this.controller = new AbortController();
      try {
        const result = await this.runner.run(entry, this.controller.signal);
        if (result === 'restart') return 'restart';
      } finally {
        this.currentJobId = undefined;
        this.controller = undefined;
      }
    }
    return undefined;
  }

  /** start-next when the gate is open: the execution it hands out becomes the journal's job. */
  private async takeNextJob() {
    const { jobs, gate, journal, options } = this.ctx;
    if (!jobs.ready) return null;
    const open = gate.isOpen();
    if (!open.open) {
      if (this.waitingJobId) this.reportShadow({ jobId: this.waitingJobId, step: 'waiting' });
      return null;
    }
    let execution: JobExecution | null;
    try {
      execution = await jobs.startNext(statusDetails({ step: 'verifying' }), options.stepTimeoutMinutes.downloading);
    } catch (err) {
      this.ctx.log.info({ err: (err as Error).message }, 'start-next not answered; will ask again');
      this.retryLater();
      return null;
    }
    this.waitingJobId = undefined;
    if (!execution) return null;
    const entry = {
      schema: 1 as const,
      jobId: execution.jobId,
      executionNumber: execution.executionNumber,
      versionNumber: execution.versionNumber,
      document: execution.jobDocument ?? null,
      step: 'started' as const,
    };
    await journal.write(entry);
    this.ctx.log.info({ jobId: execution.jobId, executionNumber: execution.executionNumber }, 'OTA job taken');
    return entry;
  }

  private onNextChanged(execution: JobExecution | null): void {
    const current = this.currentJobId;
    if (current) {
      // Another job (or none) is next while ours runs: ours may have been canceled by an abort.
      if (execution?.jobId !== current) void this.checkEnded(current);
      return;
    }
    this.waitingJobId = execution?.jobId;
    this.kick();
  }

  /** Describes the running job's execution; one the fleet ended (CANCELED, TIMED_OUT, REMOVED) stops its run. */
  private async checkEnded(jobId: string): Promise<void> {
    try {
      const entry = await this.ctx.journal.read();
      if (entry?.jobId !== jobId || entry.step === 'finished') return; // our own report ended it
      const execution = await this.ctx.jobs.describe(jobId, entry.executionNumber);
      if (TERMINAL_EXECUTION_STATUSES.includes(execution.status))
        this.endRun(new ExecutionEnded(jobId, execution.status));
    } catch (err) {
      if (err instanceof JobsRequestError && err.code === 'ResourceNotFound')
        this.endRun(new ExecutionEnded(jobId, 'REMOVED'));
      // AWS does not describe a terminal execution (TerminalStateReached), nor say which terminal status it has.
      if (err instanceof JobsRequestError && err.code === 'TerminalStateReached')
        this.endRun(new ExecutionEnded(jobId, err.executionState?.status ?? 'CANCELED'));
    }
  }

  private endRun(ended: ExecutionEnded): void {
    if (this.currentJobId === ended.jobId) this.controller?.abort(ended);
  }

  /**
   * Model and config boot here (software's boots are the launcher's): a pending trial uses up a boot, or comes back
   * to the previous slot when none is left (crash loop); the active slot is activated unless it is on trial (the
   * job's health check activates it).
   */
  private async bootComponents(): Promise<void> {
    const { store, handlers, clock, log } = this.ctx;
    for (const [component, handler] of handlers) {
      if (handler.needsRestart) continue;
      let boot = store.component(component);
      if (boot.trial) {
        const counted = countTrialBoot(boot, clock.now());
        if (counted.changed) await store.save(component, counted.boot);
        if (counted.rolledBack) log.warn({ component }, 'trial ended before its commit on every boot: rolled back');
        boot = counted.boot;
      }
      if (boot.trial || !handler.activate || !store.active(component)) continue;
      const release = await store.release(component, boot.active);
      if (!release) continue;
      try {
        await handler.activate(store.slotDir(component, boot.active), release.manifest);
      } catch (err) {
        log.error({ err: (err as Error).message, component }, 'the active slot could not be activated');
      }
    }
  }

  /** A trial with no journal behind it (the journal was lost): rolled back, as nobody can judge it. */
  private async resolveOrphanTrials(): Promise<'restart' | 'none'> {
    const { store, clock, handlers } = this.ctx;
    let restart = false;
    for (const component of Object.keys(store.current.components) as OtaComponent[]) {
      const boot = store.component(component);
      if (!boot.trial) continue;
      this.ctx.log.error({ component, jobId: boot.trial.jobId }, 'a trial without a journal: rolling back');
      await store.save(
        component,
        rollBackTrial(boot, 'OTA_INSTALL_FAILED', 'the update lost its journal', clock.now()),
      );
      if (handlers.get(component)?.needsRestart && this.ctx.software?.bootedSlot === boot.trial.slot) restart = true;
    }
    return restart ? 'restart' : 'none';
  }

  private restart(): void {
    const software = this.ctx.software;
    if (!software) {
      this.ctx.log.error('a software slot was switched but this runtime has no way to restart');
      return;
    }
    this.ctx.log.warn('restarting into the slot boot-state names');
    software.restart('OTA switch').catch((err) => this.ctx.log.error({ err }, 'restart failed'));
  }

  private retryLater(): void {
    this.ctx.clock.clearTimeout(this.retryTimer);
    if (!this.running) return;
    this.retryTimer = this.ctx.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.ctx.options.retryMs);
  }

  private reportShadow(job: { jobId: string; step: OtaStep } | null): void {
    this.shadowJob = job;
    this.ctx.shadow.reportOta(this.ctx.store.reported(this.shadowJob));
  }
}
