/**
 * Mocha ends by itself once everything the tests opened is released (there is no `exit` in .mocharc.json: it would
 * hide a stop() that leaves a server, a socket or a timer behind). Should something still be open after the last
 * test, the process would hang without saying why; this lists what keeps it alive and fails the run instead.
 */
const GRACE_MS = 5000;

function describeHandle(handle: unknown): string {
  const h = handle as {
    constructor?: { name?: string };
    remoteAddress?: string;
    remotePort?: number;
    localPort?: number;
    address?: () => unknown;
    _idleTimeout?: number;
    _onTimeout?: unknown;
  };
  const name = h.constructor?.name ?? typeof handle;
  if (name === 'Socket' || name === 'TLSSocket')
    return `${name} ${h.remoteAddress}:${h.remotePort} (local ${h.localPort})`;
  if (name === 'Server') return `${name} ${JSON.stringify(h.address?.())}`;
  if (name === 'Timeout') return `${name} every/after ${h._idleTimeout} ms: ${String(h._onTimeout).slice(0, 160)}`;
  return name;
}

export const mochaHooks = {
  afterAll(): void {
    // Once nothing is left to run, the process ends here, with the code mocha's own 'exit' listener sets. Left to
    // itself Node would then free its environment, waiting for every native addon's resources to be released; on CI
    // that teardown once spun at 100 % CPU forever after the last test (main thread in Environment::CleanupHandles,
    // every JavaScript handle already gone), and the run hit CI's time limit instead of ending. 'beforeExit' is
    // emitted only when the event loop is empty, so whatever the tests leave open still keeps it alive and is
    // reported below.
    process.once('beforeExit', () => process.exit());
    setTimeout(() => {
      const internals = process as unknown as { _getActiveHandles(): unknown[] };
      process.stderr.write(
        `\nThe test run is over but the process is still alive ${GRACE_MS} ms later; open:\n` +
          `  resources: ${process.getActiveResourcesInfo().join(', ')}\n` +
          internals
            ._getActiveHandles()
            .filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin)
            .map((h) => `  ${describeHandle(h)}\n`)
            .join(''),
      );
      // Mocha's own 'exit' listener sets the exit code to the number of failed tests: this one runs after it.
      process.on('exit', () => {
        process.exitCode = 1;
      });
      process.exit(1);
    }, GRACE_MS).unref();
  },
};
