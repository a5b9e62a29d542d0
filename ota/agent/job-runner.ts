import { link, mkdir, rm } from 'node:fs/promises';
import { FleetError, isFleetError } from '../../protocol/errors.ts';
import type { OtaFailureReason, OtaSlot, OtaStep } from '../../protocol/ota/index.ts';
import { type AgentContext, AgentStopping, ExecutionEnded } from './agent-context.ts';
import type { ComponentBoot } from './boot-state.ts';
import { fsyncDirectory, syncTree } from './durable-file.ts';
import type { ExecutionRef } from './job-reporter.ts';
import { otherSlot } from './ota-paths.ts';
import { checkJob, type JobCheck } from './release-check.ts';
import { beginWrite, finishWrite, switchToTrial } from './slot-transitions.ts';
import { type OtaStatus, statusDetails } from './status-details.ts';
import { TrialJudge } from './trial-judge.ts';
import type { Journal, Outcome } from './update-journal.ts';

/** What a job's run came to: it is done (reported or dropped), or the software must restart to go on. */
export type RunResult = 'done' | 'restart';

type Checked = Extract<JobCheck, { ok: true }>;

/**
 * One job, from its journal entry to its report, as Mender's client runs a deployment: verify (before any download),
 * Download, ArtifactInstall into the inactive slot, the switch (ArtifactReboot for software), the health check,
 * ArtifactCommit or ArtifactRollback, and the report. Every step is written to the journal before it acts, so a run
 * can begin at any step after a power cut; see docs/ota.md (agent) for what each cut leads to.
 */
export class JobRunner {
  private readonly trials: TrialJudge;

  constructor(private readonly ctx: AgentContext) {
    this.trials = new TrialJudge(ctx);
  }

  async run(journal: Journal, signal: AbortSignal): Promise<RunResult> {
    const ref: ExecutionRef = {
      jobId: journal.jobId,
      executionNumber: journal.executionNumber,
      versionNumber: journal.versionNumber,
    };
    let j = journal;
    try {
      if (j.step === 'finished') return await this.report(j, ref);
      const check = checkJob(j.document, this.ctx.keyring, this.ctx.device, new Set(this.ctx.handlers.keys()), (c) =>
        this.ctx.store.active(c),
      );
      if (!check.ok) {
        if (j.step !== 'started') {
          // Refused now, after it was taken and installed: the keys or the device changed under it. What is on
          // trial is judged as it is; the refusal only stops what has not been installed yet.
          this.ctx.log.error({ reason: check.reason, jobId: j.jobId }, 'a job past its install no longer verifies');
        }
        if (j.step === 'started' || j.step === 'downloading' || j.step === 'installing' || j.step === 'switching')
          return await this.conclude(j, ref, { status: 'REJECTED', step: 'verifying', ...failure(check) });
      }
      const checked = check.ok ? check : this.parsedOnly(j);
      if (j.step === 'started') j = await this.begin(j, checked);
      if (j.step === 'finished') return await this.report(j, ref);
      if (j.step === 'downloading') j = await this.download(j, ref, checked, signal);
      if (j.step === 'installing') j = await this.install(j, ref, checked, signal);
      if (j.step === 'switching') {
        const after = await this.switch(j, ref, checked, signal);
        if (after === 'restart') return 'restart';
        j = after;
      }
      const outcome = await this.trials.judge(j, checked.manifest, signal, (status, minutes) =>
        this.progress(j, ref, status, minutes),
      );
      if (outcome === 'restart') return 'restart';
      return await this.conclude(j, ref, outcome);
    } catch (err) {
      if (err instanceof AgentStopping) throw err;
      if (err instanceof ExecutionEnded) {
        this.ctx.log.warn({ jobId: j.jobId, status: err.status }, 'the fleet ended the execution: dropping the job');
        const after = await this.trials.cancelTrial(j);
        await this.forget(j);
        return after;
      }
      if (isFleetError(err) && isFailureReason(err.code))
        return await this.conclude(j, ref, {
          status: 'FAILED',
          step: stepOf(j),
          reason: err.code,
          message: err.message,
        });
      throw err;
    }
  }

  /** A job whose document still parses but no longer verifies: its manifest is taken as installed already. */
  private parsedOnly(j: Journal): Checked {
    const document = j.document as Checked['document'];
    return { ok: true, document, manifest: document.release.manifest, alreadyInstalled: false };
  }

  private async begin(j: Journal, check: Checked): Promise<Journal> {
    const { manifest } = check;
    const component = manifest.component;
    const active = this.ctx.store.active(component);
    const base = { component, fromVersion: active?.version ?? '0.0.0', toVersion: manifest.version };
    if (check.alreadyInstalled) {
      // Mender's "already installed": a job sent twice (a retry, a restored device) succeeds without a download.
      return this.write({
        ...j,
        ...base,
        step: 'finished',
        outcome: {
          status: 'SUCCEEDED',
          step: 'committed',
          message: `${manifest.name}@${manifest.version} is installed`,
        },
      });
    }
    const slot = otherSlot(this.ctx.store.component(component).active);
    return this.write({ ...j, ...base, slot, step: 'downloading' });
  }

  private async download(j: Journal, ref: ExecutionRef, check: Checked, signal: AbortSignal): Promise<Journal> {
    const { manifest, document } = check;
    const component = manifest.component;
    const status = (progress: number): OtaStatus => ({ ...this.status(j, 'downloading'), progress });
    this.progress(j, ref, status(0), this.ctx.options.stepTimeoutMinutes.downloading);
    const boot = this.ctx.store.component(component);
    const active = boot.slots[boot.active];
    const offer = document.download.deltas.find((d) => d.fromSha256 === active?.sha256);
    const delta =
      offer && active ? { ...offer, baseFile: this.ctx.store.paths.slotArtifact(component, boot.active) } : null;
    let tenth = 0;
    const file = await this.ctx.downloader.download(
      { sha256: manifest.artifact.sha256, size: manifest.artifact.size, path: document.download.path },
      delta,
      signal,
      (fraction) => {
        this.ctx.faults.hit('download.chunk');
        const now = Math.floor(fraction * 10);
        if (now > tenth && now < 10) {
          tenth = now;
          this.progress(j, ref, status(now * 10));
        }
      },
    );
    this.ctx.faults.hit('download.verified');
    return this.write({ ...j, step: 'installing', artifactFile: file });
  }

  private async install(j: Journal, ref: ExecutionRef, check: Checked, signal: AbortSignal): Promise<Journal> {
    const { manifest } = check;
    const component = manifest.component;
    const handler = this.ctx.handlers.get(component) as NonNullable<ReturnType<AgentContext['handlers']['get']>>;
    const { store, faults } = this.ctx;
    let boot = store.component(component);
    const target = otherSlot(boot.active);
    if (boot.dirty !== target && boot.slots[target]?.sha256 === manifest.artifact.sha256 && !boot.trial)
      return this.write({ ...j, step: 'switching', slot: target }); // written before a cut: nothing to redo
    const artifact = j.artifactFile;
    if (!artifact) return this.write({ ...j, step: 'downloading' });
    await this.waitForGate(j, ref, signal);
    this.progress(j, ref, this.status(j, 'installing', target), this.ctx.options.stepTimeoutMinutes.installing);
    boot = beginWrite(boot, target);
    await store.save(component, boot);
    faults.hit('install.dirty');
    const slotDir = store.slotDir(component, target);
    const paths = store.paths;
    await rm(slotDir, { recursive: true, force: true });
    await rm(paths.slotArtifact(component, target), { force: true });
    await rm(paths.slotRelease(component, target), { force: true });
    await mkdir(slotDir, { recursive: true });
    await handler.install(artifact, slotDir, manifest, signal).catch((err) => {
      if (signal.aborted) throw signal.reason;
      throw isFleetError(err) ? err : new FleetError('OTA_INSTALL_FAILED', (err as Error).message);
    });
    await syncTree(slotDir);
    faults.hit('install.written');
    // A hard link, not a copy: the slot keeps the artifact (a later delta's base) at no cost in space.
    await link(artifact, paths.slotArtifact(component, target)).catch(async (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
    await fsyncDirectory(paths.componentDir(component));
    await store.saveRelease(component, target, check.document.release);
    boot = finishWrite(boot, target, {
      name: manifest.name,
      version: manifest.version,
      sha256: manifest.artifact.sha256,
    });
    await store.save(component, boot);
    faults.hit('install.recorded');
    return this.write({ ...j, step: 'switching', slot: target });
  }

  private async switch(
    j: Journal,
    ref: ExecutionRef,
    check: Checked,
    signal: AbortSignal,
  ): Promise<Journal | 'restart'> {
    const { manifest, document } = check;
    const component = manifest.component;
    const handler = this.ctx.handlers.get(component);
    const { store, faults } = this.ctx;
    let boot: ComponentBoot = store.component(component);
    const target = j.slot ?? otherSlot(boot.active);
    if (boot.trial?.jobId !== j.jobId) {
      if (boot.slots[target]?.sha256 !== manifest.artifact.sha256 || boot.dirty === target)
        return this.write({ ...j, step: 'installing' }); // the slot was not finished: write it again
      // A restart in front of a shopper, or a hot swap during an announcement, waits for the gate too.
      await this.waitForGate(j, ref, signal);
      faults.hit('switch.journal');
      boot = switchToTrial(boot, target, {
        bootsLeft: document.maxTrialBoots,
        healthCheckTimeoutSeconds: document.healthCheckTimeoutSeconds,
        jobId: j.jobId,
        executionNumber: j.executionNumber,
        switchedAt: this.ctx.clock.now(),
      });
      await store.save(component, boot);
      faults.hit('switch.done');
    }
    if (handler?.needsRestart) {
      // Cut after the switch, before the restart: the launcher has booted the new slot already; a second restart
      // would spend one of the trial's boots for nothing.
      if (this.ctx.software?.bootedSlot === target) return this.write({ ...j, step: 'health-check', slot: target });
      const next = await this.write({ ...j, step: 'rebooting', slot: target });
      const minutes = Math.ceil(document.healthCheckTimeoutSeconds / 60) + this.ctx.options.stepTimeoutMinutes.restart;
      this.progress(next, ref, this.status(next, 'rebooting', target), minutes);
      faults.hit('restart.before');
      return 'restart';
    }
    return this.write({ ...j, step: 'health-check', slot: target });
  }

  /** Records the outcome (the journal holds it until the fleet took it), then reports it. */
  async conclude(j: Journal, ref: ExecutionRef, outcome: Outcome): Promise<RunResult> {
    const next = await this.write({ ...j, step: 'finished', outcome });
    this.ctx.faults.hit('report.journaled');
    return this.report(next, ref);
  }

  /** Sends the journal's outcome until the fleet takes it (or the execution ended otherwise), then forgets the job. */
  private async report(j: Journal, ref: ExecutionRef): Promise<RunResult> {
    const outcome = j.outcome as Outcome;
    const details = statusDetails({
      step: outcome.step,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
      ...(outcome.logs ? { logs: outcome.logs } : {}),
      ...this.versions(j),
    });
    this.ctx.reportShadow({ jobId: j.jobId, step: outcome.step });
    const result = await this.ctx.reporter.final(ref, outcome.status, details);
    if (result.kind === 'stopped') throw new AgentStopping();
    this.ctx.faults.hit('report.sent');
    if (result.kind === 'ended')
      this.ctx.log.warn({ jobId: j.jobId, status: result.status }, 'the execution ended before our report');
    await this.forget(j);
    return 'done';
  }

  /** Clears the journal and the job's downloads (the installed slot keeps its own link to the artifact). */
  async forget(j: Journal): Promise<void> {
    await rm(this.ctx.store.paths.downloads, { recursive: true, force: true });
    await this.ctx.journal.clear();
    this.ctx.reportShadow(null);
    this.ctx.log.info({ jobId: j.jobId, outcome: j.outcome?.status ?? 'dropped' }, 'OTA job finished');
  }

  private async waitForGate(j: Journal, ref: ExecutionRef, signal: AbortSignal): Promise<void> {
    const gate = this.ctx.gate;
    let state = gate.isOpen();
    if (state.open) return;
    this.ctx.log.info({ jobId: j.jobId, reason: state.reason }, 'OTA install waits for the gate');
    this.progress(
      j,
      ref,
      { ...this.status(j, 'waiting'), message: state.reason },
      this.ctx.options.stepTimeoutMinutes.waiting,
    );
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        off();
        reject(signal.reason);
      };
      const off = gate.onChange(() => {
        state = gate.isOpen();
        if (!state.open) return;
        off();
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** An IN_PROGRESS update, not waited for; an execution found ended cancels the run. */
  progress(j: Journal, ref: ExecutionRef, status: OtaStatus, stepTimeoutInMinutes?: number): void {
    this.ctx.reportShadow({ jobId: j.jobId, step: status.step });
    void this.ctx.reporter.progress(ref, statusDetails(status), stepTimeoutInMinutes).then((result) => {
      if (result.kind === 'ended') this.onEnded?.(new ExecutionEnded(j.jobId, result.status));
    });
  }

  /** Set by the agent: aborts the run of an execution the fleet ended. */
  onEnded: ((ended: ExecutionEnded) => void) | undefined;

  status(j: Journal, step: OtaStep, slot?: OtaSlot): OtaStatus {
    return { step, ...this.versions(j), ...(slot ? { slot } : {}) };
  }

  private versions(j: Journal): Pick<OtaStatus, 'fromVersion' | 'toVersion'> {
    return {
      ...(j.fromVersion ? { fromVersion: j.fromVersion } : {}),
      ...(j.toVersion ? { toVersion: j.toVersion } : {}),
    };
  }

  async write(j: Journal): Promise<Journal> {
    await this.ctx.journal.write(j);
    return j;
  }
}

function failure(check: Extract<JobCheck, { ok: false }>): { reason: OtaFailureReason; message: string } {
  return { reason: check.reason, message: check.message };
}

const STEP_OF: Record<Journal['step'], OtaStep> = {
  started: 'verifying',
  downloading: 'downloading',
  installing: 'installing',
  switching: 'installing',
  rebooting: 'rebooting',
  'health-check': 'health-check',
  finished: 'committed',
};

function stepOf(j: Journal): OtaStep {
  return STEP_OF[j.step];
}

function isFailureReason(code: string): code is OtaFailureReason {
  return code.startsWith('OTA_');
}
