import { randomUUID } from 'node:crypto';
import { iotjobs, mqtt } from 'aws-iot-device-sdk-v2';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import { backoffDelayMs, type FailureBackoff } from '../../platform/failure-backoff.ts';
import type { Logger } from '../../platform/log.ts';
import { JOB_EXECUTION_STATUSES, type JobExecutionStatus } from '../../protocol/jobs-status.ts';
import {
  type JobExecution,
  type JobsChannel,
  type JobsRejectionCode,
  JobsRequestError,
  type JobUpdate,
} from './jobs-channel.ts';

/** The device's one MQTT connection, as the agent needs it (devices/core adapts its DeviceConnection). */
export interface MqttLink {
  readonly online: boolean;
  /** The SDK connection of the moment: a new one after the runtime renewed its connection. */
  readonly mqttConnection: mqtt.MqttClientConnection;
  /** Runs on every (re)connect; returns the unsubscriber. */
  onOnline(listener: (sessionPresent: boolean) => void): () => void;
  onOffline(listener: () => void): () => void;
}

export interface IotJobsChannelOptions {
  /** A request with no accepted/rejected answer by then rejects with `Timeout` (the agent asks again). */
  requestTimeoutMs: number;
  /** Per-job subscriptions kept (update and get replies of the last few jobs). */
  maxJobSubscriptions?: number;
}

/** After a refused or failed SUBSCRIBE: 2 s doubling to 5 min, as the named-shadow watch. */
const SUBSCRIBE_BACKOFF: FailureBackoff = {
  freeAttempts: 1,
  baseDelayMs: 2_000,
  maxDelayMs: 5 * 60_000,
  windowMs: Number.POSITIVE_INFINITY,
};

type Pending = {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: TimerHandle;
  parse: (response: unknown) => unknown;
};

/**
 * AWS IoT Jobs' device MQTT API through the SDK's own `iotjobs.IotJobsClient` on the device's connection, so the
 * same agent runs against AWS IoT Core (docs: "Jobs device MQTT API operations"). Replies are matched by
 * `clientToken` (the update and get replies carry no job id). It subscribes to notify-next and start-next's replies
 * on every connection, and to a job's update and get replies the first time that job is asked about; a SUBACK 0x80
 * (thing waiting for approval) is retried with back-off, and nothing is published until the subscriptions hold.
 */
export class IotJobsChannel implements JobsChannel {
  private client: iotjobs.IotJobsClient | undefined;
  private boundTo: mqtt.MqttClientConnection | undefined;
  private isReady = false;
  private running = false;
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private connecting: Promise<void> | undefined;
  private readonly jobSubscriptions: string[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly readyListeners = new Set<() => void>();
  private readonly nextListeners = new Set<(execution: JobExecution | null) => void>();
  private offs: (() => void)[] = [];

  constructor(
    private readonly link: MqttLink,
    private readonly thingName: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: IotJobsChannelOptions,
  ) {}

  get ready(): boolean {
    return this.isReady && this.link.online;
  }

  start(): void {
    this.running = true;
    this.offs = [
      this.link.onOnline((sessionPresent) => {
        // A lost session, or a new SDK connection, has none of our subscriptions.
        if (!sessionPresent) this.client = undefined;
        void this.connect();
      }),
      this.link.onOffline(() => {
        this.isReady = false;
      }),
    ];
    if (this.link.online) void this.connect();
  }

  stop(): void {
    this.running = false;
    for (const off of this.offs.splice(0)) off();
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.isReady = false;
    this.client = undefined;
    for (const [token, request] of this.pending) {
      this.clock.clearTimeout(request.timer);
      request.reject(new JobsRequestError('Timeout', 'the jobs channel stopped'));
      this.pending.delete(token);
    }
  }

  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  onNextChanged(listener: (execution: JobExecution | null) => void): () => void {
    this.nextListeners.add(listener);
    return () => this.nextListeners.delete(listener);
  }

  async startNext(statusDetails: Record<string, string>, stepTimeoutInMinutes?: number): Promise<JobExecution | null> {
    const client = this.requireClient();
    const clientToken = randomUUID();
    const answer = this.expect(clientToken, (r) => {
      const execution = (r as iotjobs.model.StartNextJobExecutionResponse).execution;
      return execution ? toExecution(execution) : null;
    });
    const request: iotjobs.model.StartNextPendingJobExecutionRequest = {
      thingName: this.thingName,
      clientToken,
      statusDetails,
    };
    if (stepTimeoutInMinutes !== undefined) request.stepTimeoutInMinutes = stepTimeoutInMinutes;
    await this.send(clientToken, client.publishStartNextPendingJobExecution(request, mqtt.QoS.AtLeastOnce));
    return (await answer) as JobExecution | null;
  }

  async describe(jobId: string, executionNumber?: number): Promise<JobExecution> {
    const client = await this.jobClient(jobId);
    const clientToken = randomUUID();
    const answer = this.expect(clientToken, (r) => {
      const execution = (r as iotjobs.model.DescribeJobExecutionResponse).execution;
      if (!execution) throw new JobsRequestError('ResourceNotFound', `no execution of ${jobId} in the answer`);
      return toExecution(execution);
    });
    const request: iotjobs.model.DescribeJobExecutionRequest = {
      thingName: this.thingName,
      jobId,
      clientToken,
      includeJobDocument: true,
    };
    if (executionNumber !== undefined) request.executionNumber = executionNumber;
    await this.send(clientToken, client.publishDescribeJobExecution(request, mqtt.QoS.AtLeastOnce));
    return (await answer) as JobExecution;
  }

  async update(update: JobUpdate): Promise<{ status: JobExecutionStatus; versionNumber: number }> {
    const client = await this.jobClient(update.jobId);
    const clientToken = randomUUID();
    const answer = this.expect(clientToken, (r) => {
      const state = (r as iotjobs.model.UpdateJobExecutionResponse).executionState;
      return { status: toStatus(state?.status), versionNumber: state?.versionNumber ?? 0 };
    });
    const request: iotjobs.model.UpdateJobExecutionRequest = {
      thingName: this.thingName,
      jobId: update.jobId,
      status: update.status as iotjobs.model.JobStatus,
      statusDetails: update.statusDetails,
      clientToken,
      includeJobExecutionState: true,
    };
    if (update.executionNumber !== undefined) request.executionNumber = update.executionNumber;
    if (update.expectedVersion !== undefined) request.expectedVersion = update.expectedVersion;
    if (update.stepTimeoutInMinutes !== undefined) request.stepTimeoutInMinutes = update.stepTimeoutInMinutes;
    await this.send(clientToken, client.publishUpdateJobExecution(request, mqtt.QoS.AtLeastOnce));
    return (await answer) as { status: JobExecutionStatus; versionNumber: number };
  }

  private requireClient(): iotjobs.IotJobsClient {
    if (!this.client || !this.ready) throw new JobsRequestError('Timeout', 'not connected to the jobs service');
    return this.client;
  }

  /** The client, once this job's update and get replies are subscribed to. */
  private async jobClient(jobId: string): Promise<iotjobs.IotJobsClient> {
    const client = this.requireClient();
    if (this.jobSubscriptions.includes(jobId)) return client;
    try {
      await this.subscribeJob(client, jobId);
    } catch (err) {
      throw new JobsRequestError('Timeout', `the replies of ${jobId} are not subscribed: ${(err as Error).message}`);
    }
    this.jobSubscriptions.push(jobId);
    const max = this.options.maxJobSubscriptions ?? 4;
    while (this.jobSubscriptions.length > max) this.unsubscribeJob(this.jobSubscriptions.shift() as string);
    return client;
  }

  private expect(clientToken: string, parse: (response: unknown) => unknown): Promise<unknown> {
    const answer = new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(clientToken);
        reject(new JobsRequestError('Timeout', `no answer within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      this.pending.set(clientToken, { resolve, reject, timer, parse });
    });
    // Settled (even refused) while the request is still being published: the caller awaits it right after.
    answer.catch(() => undefined);
    return answer;
  }

  /** Publishes; a publish that fails settles the request's answer with the failure. */
  private async send(clientToken: string, publish: Promise<unknown>): Promise<void> {
    try {
      await publish;
    } catch (err) {
      this.settle(clientToken, new JobsRequestError('Timeout', `not sent: ${(err as Error).message}`));
    }
  }

  private settle(clientToken: string | undefined, outcome: { response: unknown } | Error): void {
    if (!clientToken) return;
    const request = this.pending.get(clientToken);
    if (!request) return; // another client's, or answered already, or timed out
    this.pending.delete(clientToken);
    this.clock.clearTimeout(request.timer);
    if (outcome instanceof Error) {
      request.reject(outcome);
      return;
    }
    try {
      request.resolve(request.parse(outcome.response));
    } catch (err) {
      request.reject(err as Error);
    }
  }

  private readonly onAccepted = (err?: iotjobs.IotJobsError, response?: { clientToken?: string }) => {
    if (err || !response) return;
    this.settle(response.clientToken, { response });
  };

  private readonly onRejected = (err?: iotjobs.IotJobsError, response?: iotjobs.model.RejectedErrorResponse) => {
    if (err || !response) return;
    const state = response.executionState
      ? { status: toStatus(response.executionState.status), versionNumber: response.executionState.versionNumber }
      : undefined;
    const code = (response.code ?? 'InternalError') as JobsRejectionCode;
    this.settle(response.clientToken, new JobsRequestError(code, response.message ?? '', state));
  };

  private connect(): Promise<void> {
    this.connecting ??= this.subscribe().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async subscribe(): Promise<void> {
    try {
      const connection = this.link.mqttConnection;
      if (!this.client || this.boundTo !== connection) {
        this.isReady = false;
        const client = new iotjobs.IotJobsClient(connection);
        const names = { thingName: this.thingName };
        const qos = mqtt.QoS.AtLeastOnce;
        granted(
          await client.subscribeToNextJobExecutionChangedEvents(names, qos, (err, event) => {
            if (err || !event) return;
            const next = event.execution ? toExecution(event.execution) : null;
            for (const listener of this.nextListeners) listener(next);
          }),
        );
        granted(await client.subscribeToStartNextPendingJobExecutionAccepted(names, qos, this.onAccepted));
        granted(await client.subscribeToStartNextPendingJobExecutionRejected(names, qos, this.onRejected));
        for (const jobId of this.jobSubscriptions) await this.subscribeJob(client, jobId);
        this.client = client;
        this.boundTo = connection;
      }
      this.failures = 0;
      this.isReady = true;
      this.log.debug('jobs topics subscribed');
      for (const listener of this.readyListeners) listener();
    } catch (err) {
      this.failures++;
      const delay = backoffDelayMs(this.failures, SUBSCRIBE_BACKOFF);
      this.log.debug({ err: (err as Error).message, retryMs: delay }, 'jobs topics not subscribed; will retry');
      this.clock.clearTimeout(this.retryTimer);
      if (this.running && this.link.online)
        this.retryTimer = this.clock.setTimeout(() => {
          this.retryTimer = undefined;
          if (this.running && this.link.online && !this.isReady) void this.connect();
        }, delay);
    }
  }

  private async subscribeJob(client: iotjobs.IotJobsClient, jobId: string): Promise<void> {
    const names = { thingName: this.thingName, jobId };
    const qos = mqtt.QoS.AtLeastOnce;
    const results = await Promise.all([
      client.subscribeToUpdateJobExecutionAccepted(names, qos, this.onAccepted),
      client.subscribeToUpdateJobExecutionRejected(names, qos, this.onRejected),
      client.subscribeToDescribeJobExecutionAccepted(names, qos, this.onAccepted),
      client.subscribeToDescribeJobExecutionRejected(names, qos, this.onRejected),
    ]);
    for (const result of results) granted(result);
  }

  private unsubscribeJob(jobId: string): void {
    if (!this.link.online) return;
    const prefix = `$aws/things/${this.thingName}/jobs/${jobId}`;
    for (const topic of ['update/accepted', 'update/rejected', 'get/accepted', 'get/rejected'])
      this.link.mqttConnection.unsubscribe(`${prefix}/${topic}`).catch(() => {});
  }
}

/** [MQTT-3.9.3] SUBACK 0x80: refused by the policy. */
function granted(result: mqtt.MqttSubscribeRequest): void {
  if (result.qos === (0x80 as mqtt.QoS)) throw new Error(`subscription to ${result.topic} refused`);
}

function toStatus(status: unknown): JobExecutionStatus {
  return (JOB_EXECUTION_STATUSES as readonly unknown[]).includes(status) ? (status as JobExecutionStatus) : 'QUEUED';
}

function toExecution(data: iotjobs.model.JobExecutionData): JobExecution {
  const execution: JobExecution = {
    jobId: data.jobId ?? '',
    status: toStatus(data.status),
    versionNumber: data.versionNumber ?? 0,
    executionNumber: data.executionNumber ?? 0,
  };
  if (data.jobDocument !== undefined) execution.jobDocument = data.jobDocument;
  if (data.statusDetails !== undefined) execution.statusDetails = data.statusDetails;
  return execution;
}
