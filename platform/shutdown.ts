/**
 * Stops a process cleanly on SIGINT/SIGTERM (once; a second signal is ignored while stopping), then exits 0, or 1
 * if stopping failed. For composition roots only.
 */
export function stopOnSignals(stop: () => Promise<void>, onError: (err: unknown) => void = () => {}): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop().then(
        () => process.exit(0),
        (err) => {
          onError(err);
          process.exit(1);
        },
      );
    });
  }
}
