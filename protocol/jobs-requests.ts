/**
 * The requests of AWS IoT Jobs' device MQTT API and their checks, as the API reference lists the fields
 * (GetPendingJobExecutions, StartNextPendingJobExecution, DescribeJobExecution, UpdateJobExecution). The fleet's jobs
 * service parses with these; what depends on stored executions (ResourceNotFound, VersionMismatch,
 * InvalidStateTransition, TerminalStateReached) is the service's to decide.
 *
 * Fields a request does not define are ignored: AWS's SDK sends its whole request object, `thingName` and `jobId`
 * included (`JSON.stringify(request)` in iotjobsclient.js), and AWS accepts it.
 */

import {
  DEVICE_SETTABLE_STATUSES,
  type DeviceSettableStatus,
  JOBS_LIMITS,
  type JobsErrorCode,
  STATUS_DETAIL_KEY_PATTERN,
  STATUS_DETAIL_VALUE_PATTERN,
  type StatusDetails,
} from './jobs.ts';

export interface GetPendingJobExecutionsRequest {
  clientToken?: string;
}

export interface StartNextPendingJobExecutionRequest {
  clientToken?: string;
  statusDetails?: StatusDetails;
  /** 1-10080, or -1 to cancel the current step timer. */
  stepTimeoutInMinutes?: number;
}

export interface DescribeJobExecutionRequest {
  clientToken?: string;
  /** "If not specified, the latest job execution is returned." */
  executionNumber?: number;
  /** "Unless set to false, the response contains the job document." */
  includeJobDocument?: boolean;
}

export interface UpdateJobExecutionRequest {
  clientToken?: string;
  /** "This must be specified on every update." */
  status: DeviceSettableStatus;
  /** Replaces the execution's status details; "if not specified, the statusDetails are unchanged". */
  statusDetails?: StatusDetails;
  expectedVersion?: number;
  /** "If not specified, the latest job execution is used." */
  executionNumber?: number;
  /** Default false. */
  includeJobExecutionState?: boolean;
  /** Default false. */
  includeJobDocument?: boolean;
  stepTimeoutInMinutes?: number;
}

/** A refusal before any execution was looked at: the code and message for the ErrorResponse, the valid token. */
export interface JobsRequestRejection {
  code: JobsErrorCode;
  message: string;
  clientToken?: string;
}

export type JobsParse<T> = { ok: true; request: T } | { ok: false; rejection: JobsRequestRejection };

type Body = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(
  code: JobsErrorCode,
  message: string,
  clientToken?: string,
): { ok: false; rejection: JobsRequestRejection } {
  return { ok: false, rejection: clientToken === undefined ? { code, message } : { code, message, clientToken } };
}

/** The JSON object of a request, its client token checked first so that later refusals can echo it. */
function parseEnvelope(
  payload: Uint8Array,
): { ok: true; body: Body; clientToken?: string } | { ok: false; rejection: JobsRequestRejection } {
  let body: unknown = {};
  if (payload.length > 0) {
    try {
      body = JSON.parse(utf8.decode(payload));
    } catch {
      return reject('InvalidJson', 'The request could not be interpreted as valid UTF-8-encoded JSON');
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return reject('InvalidRequest', 'The request must be a JSON object');
  const record = body as Body;
  const token = record.clientToken;
  if (token === undefined) return { ok: true, body: record };
  if (typeof token !== 'string' || token.length === 0 || token.length > JOBS_LIMITS.maxClientTokenLength)
    return reject(
      'InvalidRequest',
      `clientToken must be a string of 1 to ${JOBS_LIMITS.maxClientTokenLength} characters`,
    );
  return { ok: true, body: record, clientToken: token };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Code points, as AWS counts "characters" (a JS string's length counts UTF-16 units). */
function characters(value: string): number {
  return value.length <= JOBS_LIMITS.maxStatusDetailValueLength ? value.length : Array.from(value).length;
}

/**
 * Why `details` is not a valid DetailsMap (string keys of `[a-zA-Z0-9:_-]`, 1-128 characters; string values of 1-1024
 * characters without control characters), or `undefined` when it is. `maxEntries` for CancelJobExecution's 10.
 */
export function statusDetailsProblem(details: unknown, maxEntries?: number): string | undefined {
  if (typeof details !== 'object' || details === null || Array.isArray(details))
    return 'statusDetails must be an object of strings';
  const entries = Object.entries(details);
  if (maxEntries !== undefined && entries.length > maxEntries)
    return `statusDetails may hold at most ${maxEntries} name/value pairs`;
  for (const [key, value] of entries) {
    if (!STATUS_DETAIL_KEY_PATTERN.test(key) || key.length > JOBS_LIMITS.maxStatusDetailKeyLength)
      return `statusDetails key "${key.slice(0, 40)}" must be 1 to ${JOBS_LIMITS.maxStatusDetailKeyLength} characters of [a-zA-Z0-9:_-]`;
    if (typeof value !== 'string') return `statusDetails.${key} must be a string`;
    if (characters(value) > JOBS_LIMITS.maxStatusDetailValueLength)
      return `statusDetails.${key} is longer than ${JOBS_LIMITS.maxStatusDetailValueLength} characters`;
    if (!STATUS_DETAIL_VALUE_PATTERN.test(value))
      return `statusDetails.${key} must be 1 or more characters without control characters`;
  }
  return undefined;
}

/** Checks the fields several requests share; a problem message, or `undefined`. */
function commonProblem(body: Body): string | undefined {
  if (body.statusDetails !== undefined) {
    const problem = statusDetailsProblem(body.statusDetails);
    if (problem) return problem;
  }
  const step = body.stepTimeoutInMinutes;
  if (
    step !== undefined &&
    !(
      typeof step === 'number' &&
      Number.isInteger(step) &&
      (step === JOBS_LIMITS.clearStepTimeout ||
        (step >= JOBS_LIMITS.minStepTimeoutMinutes && step <= JOBS_LIMITS.maxStepTimeoutMinutes))
    )
  )
    return `stepTimeoutInMinutes must be an integer from ${JOBS_LIMITS.minStepTimeoutMinutes} to ${JOBS_LIMITS.maxStepTimeoutMinutes}, or ${JOBS_LIMITS.clearStepTimeout} to cancel the step timer`;
  if (body.executionNumber !== undefined && !isCount(body.executionNumber))
    return 'executionNumber must be a non-negative integer';
  for (const flag of ['includeJobDocument', 'includeJobExecutionState'] as const)
    if (body[flag] !== undefined && typeof body[flag] !== 'boolean') return `${flag} must be true or false`;
  return undefined;
}

export function parseGetPendingJobExecutionsRequest(payload: Uint8Array): JobsParse<GetPendingJobExecutionsRequest> {
  const envelope = parseEnvelope(payload);
  if (!envelope.ok) return envelope;
  return { ok: true, request: envelope.clientToken === undefined ? {} : { clientToken: envelope.clientToken } };
}

export function parseStartNextPendingJobExecutionRequest(
  payload: Uint8Array,
): JobsParse<StartNextPendingJobExecutionRequest> {
  const envelope = parseEnvelope(payload);
  if (!envelope.ok) return envelope;
  const { body, clientToken } = envelope;
  const problem = commonProblem(body);
  if (problem) return reject('InvalidRequest', problem, clientToken);
  const request: StartNextPendingJobExecutionRequest = {};
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (body.statusDetails !== undefined) request.statusDetails = body.statusDetails as StatusDetails;
  if (body.stepTimeoutInMinutes !== undefined) request.stepTimeoutInMinutes = body.stepTimeoutInMinutes as number;
  return { ok: true, request };
}

export function parseDescribeJobExecutionRequest(payload: Uint8Array): JobsParse<DescribeJobExecutionRequest> {
  const envelope = parseEnvelope(payload);
  if (!envelope.ok) return envelope;
  const { body, clientToken } = envelope;
  const problem = commonProblem(body);
  if (problem) return reject('InvalidRequest', problem, clientToken);
  const request: DescribeJobExecutionRequest = {};
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (body.executionNumber !== undefined) request.executionNumber = body.executionNumber as number;
  if (body.includeJobDocument !== undefined) request.includeJobDocument = body.includeJobDocument as boolean;
  return { ok: true, request };
}

export function parseUpdateJobExecutionRequest(payload: Uint8Array): JobsParse<UpdateJobExecutionRequest> {
  const envelope = parseEnvelope(payload);
  if (!envelope.ok) return envelope;
  const { body, clientToken } = envelope;
  const status = body.status;
  if (typeof status !== 'string' || !(DEVICE_SETTABLE_STATUSES as readonly string[]).includes(status))
    return reject('InvalidRequest', `status must be one of ${DEVICE_SETTABLE_STATUSES.join(', ')}`, clientToken);
  const problem = commonProblem(body);
  if (problem) return reject('InvalidRequest', problem, clientToken);
  if (body.expectedVersion !== undefined && !isCount(body.expectedVersion))
    return reject('InvalidRequest', 'expectedVersion must be a non-negative integer', clientToken);
  const request: UpdateJobExecutionRequest = { status: status as DeviceSettableStatus };
  if (clientToken !== undefined) request.clientToken = clientToken;
  if (body.statusDetails !== undefined) request.statusDetails = body.statusDetails as StatusDetails;
  if (body.expectedVersion !== undefined) request.expectedVersion = body.expectedVersion as number;
  if (body.executionNumber !== undefined) request.executionNumber = body.executionNumber as number;
  if (body.includeJobExecutionState !== undefined)
    request.includeJobExecutionState = body.includeJobExecutionState as boolean;
  if (body.includeJobDocument !== undefined) request.includeJobDocument = body.includeJobDocument as boolean;
  if (body.stepTimeoutInMinutes !== undefined) request.stepTimeoutInMinutes = body.stepTimeoutInMinutes as number;
  return { ok: true, request };
}
