import { randomBytes } from 'node:crypto';
import type { DataMessage, MetricValue } from '../../protocol/telemetry.ts';
import { type DataStream, dataTopics } from '../../protocol/topics.ts';
import type { Outbox } from './outbox.ts';

/**
 * Builds `dt/cartfleet/{thing}/{stream}` messages and hands them to the outbox. msgIds are `{boot}-{seq}`: a random
 * boot id per process start and a counter, unique per device without any coordination.
 */
export class TelemetryPublisher {
  private readonly bootId = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(
    private readonly thingName: string,
    private readonly outbox: Outbox,
  ) {}

  publish(stream: DataStream, metrics: Record<string, MetricValue>, ts = Date.now()): DataMessage {
    const message: DataMessage = { msgId: `${this.bootId}-${++this.seq}`, ts, metrics };
    this.outbox.enqueue(dataTopics.publish(this.thingName, stream), JSON.stringify(message));
    return message;
  }
}
