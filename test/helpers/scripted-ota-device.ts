import { iotjobs, iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import type { DeviceCredentials } from '../../devices/core/device-config.ts';
import type { JobExecutionStatus } from '../../protocol/jobs-status.ts';
import { OTA_SHADOW, type OtaReported, type OtaStatusDetailKey } from '../../protocol/ota/device-ota.ts';
import { eventually } from '../mocks/wait-for.ts';
import { sdkConnection } from './fleet-harness.ts';

const QOS = mqtt.QoS.AtLeastOnce;

export interface StartedExecution {
  jobId: string;
  executionNumber: number;
  versionNumber: number;
  jobDocument: unknown;
}

/**
 * A device whose OTA side a test scripts, speaking AWS IoT Jobs through AWS's own SDK (`iotjobs.IotJobsClient` on the
 * 3.1.1 connection, as the update agent does) and reporting its slots in the named shadow `ota`: the console tests
 * drive a rollout's executions step by step (downloading 50 %, failed with a reason and logs) without an agent's
 * timing in the way. Every request waits for its accepted answer; a rejected one fails with AWS's error code.
 */
export class ScriptedOtaDevice {
  private connection: mqtt.MqttClientConnection | undefined;
  private jobs: iotjobs.IotJobsClient | undefined;
  private readonly answers: { kind: 'accepted' | 'rejected'; topic: string; body: unknown }[] = [];

  constructor(
    readonly thingName: string,
    private readonly port: number,
    private readonly credentials: DeviceCredentials,
  ) {}

  async start(): Promise<void> {
    const connection = sdkConnection(this.port, this.credentials, this.thingName);
    this.connection = connection;
    await connection.connect();
    const jobs = new iotjobs.IotJobsClient(connection);
    this.jobs = jobs;
    const thingName = this.thingName;
    const record = (kind: 'accepted' | 'rejected', topic: string) => (error?: Error, body?: unknown) =>
      this.answers.push({ kind, topic, body: error ?? body });
    await jobs.subscribeToStartNextPendingJobExecutionAccepted({ thingName }, QOS, record('accepted', 'start-next'));
    await jobs.subscribeToStartNextPendingJobExecutionRejected({ thingName }, QOS, record('rejected', 'start-next'));
    await jobs.subscribeToUpdateJobExecutionAccepted({ thingName, jobId: '+' }, QOS, record('accepted', 'update'));
    await jobs.subscribeToUpdateJobExecutionRejected({ thingName, jobId: '+' }, QOS, record('rejected', 'update'));
  }

  /** Reports the slots of one component as the agent would (named shadow `ota`, reported). */
  async reportSlots(reported: OtaReported): Promise<void> {
    const shadow = new iotshadow.IotShadowClient(this.connection!);
    let accepted = false;
    await shadow.subscribeToUpdateNamedShadowAccepted(
      { thingName: this.thingName, shadowName: OTA_SHADOW },
      QOS,
      () => {
        accepted = true;
      },
    );
    await shadow.publishUpdateNamedShadow(
      { thingName: this.thingName, shadowName: OTA_SHADOW, state: { reported: reported as unknown as object } },
      QOS,
    );
    await eventually(() => accepted, 5000, `${this.thingName} shadow ota accepted`);
  }

  /** `start-next`: the next pending execution, now IN_PROGRESS (null when nothing is queued for the device). */
  async startNext(statusDetails: Partial<Record<OtaStatusDetailKey, string>> = {}): Promise<StartedExecution | null> {
    const answer = await this.request('start-next', () =>
      this.jobs!.publishStartNextPendingJobExecution(
        { thingName: this.thingName, statusDetails: statusDetails as Record<string, string> },
        QOS,
      ),
    );
    const execution = (answer as iotjobs.model.StartNextJobExecutionResponse).execution;
    if (!execution?.jobId) return null;
    return {
      jobId: execution.jobId,
      executionNumber: execution.executionNumber ?? 0,
      versionNumber: execution.versionNumber ?? 0,
      jobDocument: execution.jobDocument,
    };
  }

  /** `{jobId}/update` with a status and the agent's status details (step, progress, reason, message, logs). */
  async update(
    jobId: string,
    status: JobExecutionStatus,
    statusDetails: Partial<Record<OtaStatusDetailKey, string>>,
  ): Promise<void> {
    await this.request('update', () =>
      this.jobs!.publishUpdateJobExecution(
        {
          thingName: this.thingName,
          jobId,
          status: status as iotjobs.model.JobStatus,
          statusDetails: statusDetails as Record<string, string>,
        },
        QOS,
      ),
    );
  }

  async stop(): Promise<void> {
    await this.connection?.disconnect().catch(() => undefined);
    this.connection = undefined;
  }

  private async request(topic: string, publish: () => Promise<unknown>): Promise<unknown> {
    const before = this.answers.length;
    await publish();
    const answer = await eventually(
      () => this.answers.slice(before).find((a) => a.topic === topic),
      10_000,
      `${this.thingName} ${topic} answered`,
    );
    if (answer.kind === 'rejected') {
      throw new Error(`${this.thingName} ${topic} rejected: ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }
}

/** Slots of a device on `version` of a software release (slot a active, nothing on trial). */
export function softwareSlots(name: string, version: string, sha256: string): OtaReported {
  return {
    components: { software: { active: 'a', a: { name, version, sha256 }, b: null, trial: null } },
    job: null,
    lastRollback: null,
  };
}
