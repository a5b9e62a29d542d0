import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { type RecognitionBatch, recognitionTopics } from '../../../protocol/vision/device-vision.ts';
import {
  type RecognitionRecord,
  RecognitionRecordSchema,
  recognitionRecordProblems,
} from '../../../protocol/vision/recognition.ts';

const recordSchema = new SchemaValidator<RecognitionRecord>(RecognitionRecordSchema);

/** Where records go: the device's outbox (SQLite, QoS 1, kept offline). */
export interface RecordQueue {
  enqueue(topic: string, payload: string): void;
}

/**
 * The decision log's way to the fleet (issue 11 item 6): each record as a `RecognitionBatch` on
 * `dt/cartfleet/{thing}/recognitions` through the outbox, so nothing is lost offline; a record is sent when decided
 * and again, whole, when its outcome is known (the fleet keeps the latest per id). A record the contract refuses is
 * a bug here: it is logged and dropped, never thrown at the shopper.
 */
export class RecognitionLog {
  constructor(
    private readonly thingName: string,
    private readonly queue: RecordQueue,
    private readonly log: Logger,
  ) {}

  send(record: RecognitionRecord): void {
    const checked = recordSchema.check(record);
    const problems = checked.ok ? recognitionRecordProblems(record) : [checked.reason];
    if (problems.length > 0) {
      this.log.error({ id: record.id, problems }, 'recognition record not sent: it breaks the contract');
      return;
    }
    const batch: RecognitionBatch = { records: [record] };
    this.queue.enqueue(recognitionTopics.publish(this.thingName), JSON.stringify(batch));
  }
}
