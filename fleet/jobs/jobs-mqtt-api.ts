import type { Logger } from '../../platform/log.ts';
import { isFleetError } from '../../protocol/errors.ts';
import {
  classifyJobsTopic,
  type JobsErrorResponse,
  type JobsRequestTopic,
  jobsTopics,
  parseJobsRequestTopic,
} from '../../protocol/jobs.ts';
import {
  parseDescribeJobExecutionRequest,
  parseGetPendingJobExecutionsRequest,
  parseStartNextPendingJobExecutionRequest,
  parseUpdateJobExecutionRequest,
} from '../../protocol/jobs-requests.ts';
import type { ClientRequest } from '../broker/client-requests.ts';
import type { Answer, DeviceJobRequests } from './device-requests.ts';
import { epochSeconds } from './execution-wire.ts';
import type { ChangeSet } from './job-changes.ts';

/** What the MQTT API needs of the broker (`DeviceBroker` has it). */
export interface JobsBroker {
  onClientRequests(accepts: (topic: string) => boolean, fn: (request: ClientRequest) => void): () => void;
  publish(topic: string, payload: string | Buffer, qos?: 0 | 1): Promise<void>;
}

/** Runs a change in one transaction, after the writes queued before it; resolves once it has committed. */
export type QueuedWrite = <T>(label: string, run: (changes: ChangeSet, now: number) => T) => Promise<T>;

/**
 * The device side of AWS IoT Jobs over MQTT: takes every client's request under `$aws/things/{thing}/jobs/` and
 * answers it on `{request topic}/accepted` or `/rejected`, on the asking connection only (AWS: the answers "do not
 * pass through the message broker and they cannot be subscribed to by other clients or rules"). A topic that maps to
 * no API gets `InvalidTopic`, a payload that is not JSON `InvalidJson`, a field out of AWS's ranges
 * `InvalidRequest`; a request that failed inside the fleet `InternalError` (the device asks again).
 */
export class JobsMqttApi {
  private off: (() => void) | undefined;

  constructor(
    private readonly broker: JobsBroker,
    private readonly requests: DeviceJobRequests,
    private readonly write: QueuedWrite,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.off = this.broker.onClientRequests(
      (topic) => classifyJobsTopic(topic) === 'request',
      (request) => this.onRequest(request),
    );
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  private onRequest(request: ClientRequest): void {
    const topic = parseJobsRequestTopic(request.topic);
    if (!topic) {
      this.refuseTopic(request);
      return;
    }
    this.answer(request, topic).then(
      (answer) => this.send(request, answer),
      (err: unknown) => {
        if (isFleetError(err, 'STORAGE_BUSY')) this.log.warn({ topic: request.topic, code: err.code }, err.message);
        else this.log.error({ err, topic: request.topic }, 'jobs request failed');
        this.send(request, {
          ok: false,
          error: { code: 'InternalError', message: 'Internal error', timestamp: epochSeconds(this.now()) },
        });
      },
    );
  }

  /** Reads are answered from the database at once; changes wait their turn in the fleet's write queue. */
  private async answer(request: ClientRequest, topic: JobsRequestTopic): Promise<Answer<object>> {
    const { thingName } = topic;
    switch (topic.operation) {
      case 'GetPendingJobExecutions': {
        const parsed = parseGetPendingJobExecutionsRequest(request.payload);
        if (!parsed.ok) return this.rejection(parsed.rejection);
        return { ok: true, body: this.requests.getPending(thingName, parsed.request, this.now()) };
      }
      case 'DescribeJobExecution': {
        const parsed = parseDescribeJobExecutionRequest(request.payload);
        if (!parsed.ok) return this.rejection(parsed.rejection);
        return this.requests.describe(thingName, topic.jobId, parsed.request, this.now());
      }
      case 'StartNextPendingJobExecution': {
        const parsed = parseStartNextPendingJobExecutionRequest(request.payload);
        if (!parsed.ok) return this.rejection(parsed.rejection);
        return this.write('jobs start-next', (changes, now) =>
          this.requests.startNext(thingName, parsed.request, now, changes),
        );
      }
      case 'UpdateJobExecution': {
        const parsed = parseUpdateJobExecutionRequest(request.payload);
        if (!parsed.ok) return this.rejection(parsed.rejection);
        return this.write('jobs update', (changes, now) =>
          this.requests.update(thingName, topic.jobId, parsed.request, now, changes),
        );
      }
    }
  }

  private rejection(rejection: Omit<JobsErrorResponse, 'timestamp'>): Answer<never> {
    return { ok: false, error: { ...rejection, timestamp: epochSeconds(this.now()) } };
  }

  /** A topic under `.../jobs/` that maps to no API, or names a thing or job that cannot exist. */
  private refuseTopic(request: ClientRequest): void {
    const parsed = parseGetPendingJobExecutionsRequest(request.payload);
    const clientToken = parsed.ok ? parsed.request.clientToken : undefined;
    this.log.info({ topic: request.topic, clientId: request.clientId }, 'jobs request refused: invalid topic');
    this.send(
      request,
      this.rejection({
        code: 'InvalidTopic',
        message: 'The topic maps to no AWS IoT Jobs operation, or its thing name or job id is invalid',
        ...(clientToken === undefined ? {} : { clientToken }),
      }),
    );
  }

  private send(request: ClientRequest, answer: Answer<object>): void {
    if (!answer.ok)
      this.log.debug(
        { topic: request.topic, code: answer.error.code, message: answer.error.message },
        'jobs request rejected',
      );
    const topic = answer.ok ? jobsTopics.accepted(request.topic) : jobsTopics.rejected(request.topic);
    const body = answer.ok ? answer.body : answer.error;
    request
      .reply(topic, JSON.stringify(body))
      .then((sent) => {
        if (!sent)
          this.log.debug({ topic, clientId: request.clientId }, 'jobs answer not delivered: not subscribed or gone');
      })
      .catch((err: Error) => this.log.warn({ err: err.message, topic }, 'jobs answer not published'));
  }
}
