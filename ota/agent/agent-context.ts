import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { JobExecutionStatus } from '../../protocol/jobs-status.ts';
import type { OtaComponent, OtaStep } from '../../protocol/ota/index.ts';
import type { Keyring } from '../release/keyring.ts';
import type { ArtifactDownloader } from './artifact-download.ts';
import type { ComponentHandler, InstallGate } from './component-handler.ts';
import type { FaultPoints } from './fault-points.ts';
import type { JobReporter } from './job-reporter.ts';
import type { JobsChannel } from './jobs-channel.ts';
import type { HealthProbe, OtaShadowReporter, RecentLogs, SoftwareHost } from './ports.ts';
import type { DeviceIdentity } from './release-check.ts';
import type { SlotStore } from './slot-store.ts';
import type { UpdateJournal } from './update-journal.ts';

/** Step timeouts (AWS `stepTimeoutInMinutes`, 1–10080) the agent sets as it moves through a job. */
export interface StepTimeouts {
  /** From start-next through the download (and the verification). */
  downloading: number;
  installing: number;
  /** While the install gate is closed (a shopper's session can be long). */
  waiting: number;
  /** Added to the job's health-check time for the restart into the new slot. */
  restart: number;
}

export interface OtaAgentOptions {
  stepTimeoutMinutes: StepTimeouts;
  /** Pause before a job update or a start-next is sent again after no answer. */
  retryMs: number;
  /** Log lines in a failure's `logs`. */
  logLines: number;
}

/** What the agent and its job runner share (made once by OtaAgent). */
export interface AgentContext {
  readonly device: DeviceIdentity;
  readonly keyring: Keyring;
  readonly handlers: ReadonlyMap<OtaComponent, ComponentHandler>;
  readonly gate: InstallGate;
  readonly jobs: JobsChannel;
  readonly reporter: JobReporter;
  readonly downloader: ArtifactDownloader;
  readonly probe: HealthProbe;
  readonly shadow: OtaShadowReporter;
  /** Null on a device without a software handler (tests of models and config alone). */
  readonly software: SoftwareHost | null;
  readonly logs: RecentLogs;
  readonly store: SlotStore;
  readonly journal: UpdateJournal;
  readonly faults: FaultPoints;
  readonly clock: Clock;
  readonly log: Logger;
  readonly options: OtaAgentOptions;
  /** Reports the slots (and the job's step) in the named shadow `ota`. */
  reportShadow(job: { jobId: string; step: OtaStep } | null): void;
}

/** The agent is stopping: the job stays in the journal and resumes on the next start. */
export class AgentStopping extends Error {
  constructor() {
    super('the OTA agent is stopping');
    this.name = 'AgentStopping';
  }
}

/** The fleet ended the execution (canceled by an abort, timed out, removed): the agent drops it, reporting nothing. */
export class ExecutionEnded extends Error {
  constructor(
    readonly jobId: string,
    readonly status: JobExecutionStatus | 'REMOVED',
  ) {
    super(`execution of ${jobId} is ${status}`);
    this.name = 'ExecutionEnded';
  }
}
