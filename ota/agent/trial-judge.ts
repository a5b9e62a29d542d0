import { readFile } from 'node:fs/promises';
import type { OtaComponent, OtaFailureReason, ReleaseManifest } from '../../protocol/ota/index.ts';
import type { AgentContext } from './agent-context.ts';
import type { Trial } from './boot-state.ts';
import { checkTrialHealth } from './health-check.ts';
import { commitTrial, rollBackTrial } from './slot-transitions.ts';
import type { OtaStatus } from './status-details.ts';
import type { Journal, Outcome } from './update-journal.ts';

/** The reasons a rollback by the launcher (not by the agent's own health check) is recorded with. */
const LAUNCHER_REASONS: readonly OtaFailureReason[] = ['OTA_CRASH_LOOP', 'OTA_HEALTH_CHECK_TIMEOUT'];

/**
 * Decides a switched job after the switch or after a (re)boot, from boot-state — the one thing a power cut cannot
 * leave half-written: a trial still pending is health-checked (then committed or rolled back); a trial the launcher
 * rolled back (a crash loop, the watchdog) is reported FAILED with its reason and the crashed runtime's last stderr
 * lines; a slot committed before a cut is reported SUCCEEDED.
 */
export class TrialJudge {
  constructor(private readonly ctx: AgentContext) {}

  async judge(
    j: Journal,
    manifest: ReleaseManifest,
    signal: AbortSignal,
    progress: (status: OtaStatus, stepTimeoutInMinutes?: number) => void,
  ): Promise<Outcome | 'restart'> {
    const component = manifest.component;
    const boot = this.ctx.store.component(component);
    const trial = boot.trial;
    if (trial && trial.jobId === j.jobId && trial.executionNumber === j.executionNumber) {
      const software = this.ctx.handlers.get(component)?.needsRestart === true;
      // Still the process that switched (a cut before it restarted): restart into the trial first.
      if (software && this.ctx.software && this.ctx.software.bootedSlot !== trial.slot) return 'restart';
      return this.check(j, component, manifest, trial, signal, progress);
    }
    const rollback = boot.lastRollback;
    if (!trial && rollback?.jobId === j.jobId && rollback.executionNumber === j.executionNumber) {
      const logs = LAUNCHER_REASONS.includes(rollback.reason) ? await this.crashLog() : undefined;
      return {
        status: 'FAILED',
        step: 'rolled-back',
        reason: rollback.reason,
        message: rollback.message,
        ...(logs ? { logs } : {}),
      };
    }
    if (!trial && boot.slots[boot.active]?.sha256 === manifest.artifact.sha256) {
      return { status: 'SUCCEEDED', step: 'committed', message: `${manifest.name}@${manifest.version} committed` };
    }
    return {
      status: 'FAILED',
      step: 'rolled-back',
      reason: 'OTA_INSTALL_FAILED',
      message: 'the device is not on the new slot and holds no record of why',
    };
  }

  private async check(
    j: Journal,
    component: OtaComponent,
    manifest: ReleaseManifest,
    trial: Trial,
    signal: AbortSignal,
    progress: (status: OtaStatus, stepTimeoutInMinutes?: number) => void,
  ): Promise<Outcome | 'restart'> {
    const { store, faults } = this.ctx;
    const handler = this.ctx.handlers.get(component);
    if (!handler) return this.rollBack(j, component, 'OTA_INSTALL_FAILED', `no ${component} handler here`);
    if (j.step !== 'health-check') await this.ctx.journal.write({ ...j, step: 'health-check' });
    faults.hit('health.start');
    const minutes = Math.ceil(trial.healthCheckTimeoutSeconds / 60) + this.ctx.options.stepTimeoutMinutes.restart;
    progress({ step: 'health-check', slot: trial.slot, fromVersion: j.fromVersion, toVersion: j.toVersion }, minutes);
    const slotDir = store.slotDir(component, trial.slot);
    if (!handler.needsRestart && handler.activate) {
      try {
        await handler.activate(slotDir, manifest);
      } catch (err) {
        return this.rollBack(j, component, 'OTA_HEALTH_CHECK_FAILED', `activate: ${(err as Error).message}`);
      }
    }
    const verdict = await checkTrialHealth(
      { component, handler, slotDir, manifest, timeoutMs: trial.healthCheckTimeoutSeconds * 1000, signal },
      this.ctx.probe,
      this.ctx.jobs,
      this.ctx.clock,
    );
    if (!verdict.ok) {
      this.ctx.log.warn({ jobId: j.jobId, reason: verdict.reason, err: verdict.message }, 'health check failed');
      return this.rollBack(j, component, verdict.reason, verdict.message);
    }
    faults.hit('health.passed');
    await store.save(component, commitTrial(store.component(component)));
    faults.hit('commit.done');
    this.ctx.reportShadow(null);
    if (component === 'software') this.ctx.shadow.reportSoftwareVersion(manifest.version);
    this.ctx.log.info({ jobId: j.jobId, component, version: manifest.version }, 'health check passed: committed');
    return { status: 'SUCCEEDED', step: 'committed' };
  }

  /**
   * Restores the previous slot. Software must restart into it, and the previous slot's agent reports the failure,
   * so the outcome (with this runtime's last log lines) goes into the journal first; a model or config is put back
   * at once and reported from here.
   */
  private async rollBack(
    j: Journal,
    component: OtaComponent,
    reason: OtaFailureReason,
    message: string,
  ): Promise<Outcome | 'restart'> {
    const { store, faults } = this.ctx;
    await store.save(component, rollBackTrial(store.component(component), reason, message, this.ctx.clock.now()));
    faults.hit('rollback.done');
    const outcome: Outcome = {
      status: 'FAILED',
      step: 'rolled-back',
      reason,
      message,
      logs: this.ctx.logs.tail(this.ctx.options.logLines),
    };
    if (this.ctx.handlers.get(component)?.needsRestart) {
      await this.ctx.journal.write({ ...j, step: 'finished', outcome });
      faults.hit('report.journaled');
      return 'restart';
    }
    await this.activatePrevious(component);
    return outcome;
  }

  /**
   * The fleet ended the execution (an abort cancels it even in progress): a trial of this job is rolled back
   * (OTA_CANCELED) and nothing is reported. Software running the trial must restart into the previous slot.
   */
  async cancelTrial(j: Journal): Promise<'restart' | 'done'> {
    const component = j.component;
    if (!component) return 'done';
    const { store } = this.ctx;
    const boot = store.component(component);
    const trial = boot.trial;
    if (!trial || trial.jobId !== j.jobId) return 'done';
    await store.save(component, rollBackTrial(boot, 'OTA_CANCELED', 'the rollout was aborted', this.ctx.clock.now()));
    this.ctx.faults.hit('rollback.done');
    if (this.ctx.handlers.get(component)?.needsRestart)
      return this.ctx.software?.bootedSlot === trial.slot ? 'restart' : 'done';
    await this.activatePrevious(component);
    return 'done';
  }

  /** A model or config back on its previous slot (nothing to activate if it had none: the runtime's default). */
  private async activatePrevious(component: OtaComponent): Promise<void> {
    const handler = this.ctx.handlers.get(component);
    const boot = this.ctx.store.component(component);
    if (!handler?.activate || boot.slots[boot.active] === null) return;
    const release = await this.ctx.store.release(component, boot.active);
    if (!release) return;
    try {
      await handler.activate(this.ctx.store.slotDir(component, boot.active), release.manifest);
    } catch (err) {
      this.ctx.log.error({ err: (err as Error).message, component }, 'the previous slot could not be activated again');
    }
  }

  /** The last stderr lines the launcher kept of a runtime that ended before its commit. */
  private async crashLog(): Promise<string[] | undefined> {
    try {
      const text = await readFile(this.ctx.store.paths.crashLog, 'utf8');
      return text
        .split('\n')
        .filter((line) => line.length > 0)
        .slice(-this.ctx.options.logLines);
    } catch {
      return undefined;
    }
  }
}
