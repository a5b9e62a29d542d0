import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadFleetConfig } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { exitOnConfigError } from '../platform/config-loader.ts';
import { createLogger } from '../platform/log.ts';
import { stopOnSignals } from '../platform/shutdown.ts';
import { SimulatedStore } from './simulated-store.ts';

/**
 * `npm run demo`: the fleet server on embedded defaults (broker, SQLite, CA in ./.demo-data) and a simulated store
 * of real device runtimes in each demo store. Ctrl-C stops everything cleanly; the next run continues with the same
 * data (delete .demo-data to start over).
 */
const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    carts: { type: 'string', default: '6' },
    speakers: { type: 'string', default: '2' },
    'time-scale': { type: 'string', default: '30' },
  },
});

const dataRoot = resolve(process.env.DEMO_DATA_DIR ?? '.demo-data');
let config: ReturnType<typeof loadFleetConfig>;
try {
  config = loadFleetConfig({ file: values.config });
  config = {
    ...config,
    dataDir: process.env.FLEET_DATA_DIR ? config.dataDir : join(dataRoot, 'fleet'),
    seedDemoData: true,
  };
} catch (err) {
  exitOnConfigError(err);
}
const log = createLogger('demo', process.env.LOG_LEVEL ?? 'warn');
const fleet = new FleetServer(config, log.child({ process: 'fleet' }));
await fleet.start();

const { stores, broker, http } = fleet.services;
const simulated: SimulatedStore[] = [];
let seed = 7;
for (const store of stores.listStores()) {
  const sim = new SimulatedStore(
    {
      store,
      zones: stores.listZones(store.id),
      carts: Number(values.carts),
      broadcastSpeakers: 1,
      promoSpeakers: Math.max(0, Number(values.speakers) - 1),
      dataDir: join(dataRoot, 'devices'),
      endpoint: { host: 'localhost', port: broker.tlsPort },
      telemetryIntervalMs: 2000,
      healthIntervalMs: 10_000,
      timeScale: Number(values['time-scale']),
      seed: seed++,
    },
    fleet.services.registry,
    log.child({ process: 'sim', store: store.id }),
  );
  await sim.start();
  simulated.push(sim);
}

const devices = simulated.reduce((n, s) => n + s.carts.length + s.speakers.length, 0);
const api = `http://${config.http.host}:${http.port}`;
process.stdout.write(`
  Cartfleet demo is running: ${devices} devices in ${simulated.length} stores, each its own mTLS connection.

  MQTT (mTLS)   mqtts://localhost:${broker.tlsPort}       CA: ${join(config.dataDir, 'pki', 'ca.cert.pem')}
  HTTP API      ${api}
  API token     ${fleet.token.path}

  Try:
    TOKEN=$(cat ${fleet.token.path})
    curl -s -H "Authorization: Bearer $TOKEN" ${api}/api/devices | head -c 1500
    curl -s -H "Authorization: Bearer $TOKEN" "${api}/api/devices/${simulated[0]?.carts[0]?.thingName ?? 'cart'}/telemetry?metric=battery.percent"
    FLEET_DATA_DIR=${config.dataDir} npx fleetctl devices list

  Ctrl-C stops everything.
`);

stopOnSignals(
  async () => {
    process.stdout.write('\n  stopping devices and fleet...\n');
    for (const sim of simulated) await sim.stop();
    await fleet.stop();
  },
  (err) => log.error({ err }, 'stop failed'),
);
