import { LOCAL_ONLY_GROUPS, runApiCli } from './api-commands.ts';

/**
 * The `fleetctl` command (bin/fleetctl.js). Two halves, chosen by the first word:
 * - `fleetctl local ...` (and the data-dir-only groups `certificates`, `policies`, `provisioning`) runs
 *   local-commands.ts, which opens the fleet's data dir directly: for the fleet host, with or without a running
 *   server;
 * - everything else goes over the operations API with the token of `fleetctl login` (api-commands.ts).
 */
const argv = process.argv.slice(2);
const first = argv[0];

if (first === 'local' || (first !== undefined && LOCAL_ONLY_GROUPS.includes(first))) {
  // Loaded only here: it brings the CA and the database, which the API half never needs.
  const { runLocalCli } = await import('./local-commands.ts');
  process.exitCode = await runLocalCli(first === 'local' ? argv.slice(1) : argv);
} else {
  process.exitCode = await runApiCli(argv, process.env);
}
