import { parseArgs } from 'node:util';
import { exitOnConfigError } from '../platform/config-loader.ts';
import { createLogger } from '../platform/log.ts';
import { loadFleetConfig } from './config.ts';
import { FleetServer } from './fleet-server.ts';

/** Composition root of the fleet server process: `npm start -- [--config fleet.json]`. */
const { values } = parseArgs({ options: { config: { type: 'string' } } });
let config: ReturnType<typeof loadFleetConfig>;
try {
  config = loadFleetConfig({ file: values.config });
} catch (err) {
  exitOnConfigError(err);
}
const log = createLogger('fleet', config.logLevel);
const server = new FleetServer(config, log);
await server.start();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  });
}
