import { parseArgs } from 'node:util';
import { systemClock } from '../platform/clock.ts';
import { exitOnConfigError } from '../platform/config-loader.ts';
import { createLogger } from '../platform/log.ts';
import { stopOnSignals } from '../platform/shutdown.ts';
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
const server = new FleetServer(config, log, systemClock);
await server.start();
const firstAdmin = server.services.access.firstAdmin;
if (firstAdmin) {
  // Shown once, on the terminal only (never in the log): the first sign-in must replace it.
  process.stdout.write(
    `\n  First start: sign in at http://${config.http.host}:${server.services.http.port}/ as ` +
      `'${firstAdmin.username}' with the one-time password  ${firstAdmin.password}\n  (you will choose a new password).\n\n`,
  );
}

stopOnSignals(
  async () => {
    log.info('stopping');
    await server.stop();
  },
  (err) => log.error({ err }, 'stop failed'),
);
