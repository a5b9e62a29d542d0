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
