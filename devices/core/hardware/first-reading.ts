import { once } from 'node:events';

/**
 * Resolves once every input has delivered its first reading (a board reports asynchronously after it is opened),
 * so that a runtime never publishes the zeros that stand in for "not read yet". Gives up after `timeoutMs`: a
 * broken sensor must not keep the device from starting; its readings will show it.
 */
export async function firstReadings(checks: (() => boolean)[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!checks.every((check) => check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** A check that turns true after the component's first `event` (e.g. a johnny-five Sensor's 'data'). */
export function seen(emitter: NodeJS.EventEmitter, event: string): () => boolean {
  let fired = false;
  void once(emitter, event).then(() => {
    fired = true;
  });
  return () => fired;
}
