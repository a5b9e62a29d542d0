import type { Aedes } from 'aedes';

/**
 * How many messages aedes' delivery queue holds now. aedes delivers through its `mq` (mqemitter, its documented `mq`
 * option), which runs at most `concurrency` deliveries at a time and queues the rest; mqemitter counts them in
 * `length`, which neither package types. The one place that reads it; `undefined` when it is not there.
 */
export function mqemitterBacklog(aedes: Aedes): number | undefined {
  const mq: unknown = Reflect.get(aedes, 'mq');
  const length: unknown = typeof mq === 'object' && mq !== null ? Reflect.get(mq, 'length') : undefined;
  return typeof length === 'number' ? length : undefined;
}
