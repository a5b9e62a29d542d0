import { type CommandGroup, createContext } from './cli-context.ts';
import { CliError, EXIT } from './cli-error.ts';
import { alertCommands } from './groups/alert-commands.ts';
import { announcerCommands } from './groups/announcer-commands.ts';
import { broadcastCommands } from './groups/broadcast-commands.ts';
import { catalogCommands } from './groups/catalog-commands.ts';
import { contentCommands } from './groups/content-commands.ts';
import { couponCommands } from './groups/coupon-commands.ts';
import { deviceCommands } from './groups/device-commands.ts';
import { familyCommands } from './groups/family-commands.ts';
import { galleryCommands } from './groups/gallery-commands.ts';
import { loyaltyCommands } from './groups/loyalty-commands.ts';
import { memberCommands } from './groups/member-commands.ts';
import { attendantCommands, orderCommands, quoteCommand } from './groups/order-commands.ts';
import { pointsCommands } from './groups/points-commands.ts';
import { promotionCommands } from './groups/promotion-commands.ts';
import { releaseCommands } from './groups/release-commands.ts';
import { remoteCommands } from './groups/remote-commands.ts';
import { rolloutCommands } from './groups/rollout-commands.ts';
import { loginCommand, logoutCommand, passwordCommand, whoamiCommand } from './groups/session-commands.ts';
import { storeCommands } from './groups/store-commands.ts';
import { tokenCommands } from './groups/token-commands.ts';
import { userCommands } from './groups/user-commands.ts';
import { visionCommands } from './groups/vision-commands.ts';

/** fleetctl's commands over the operations API (docs/api.md), by the first word of the command line. */
export const API_GROUPS: readonly CommandGroup[] = [
  loginCommand,
  logoutCommand,
  passwordCommand,
  whoamiCommand,
  storeCommands,
  deviceCommands,
  remoteCommands,
  alertCommands,
  catalogCommands,
  promotionCommands,
  contentCommands,
  orderCommands,
  quoteCommand,
  attendantCommands,
  userCommands,
  tokenCommands,
  memberCommands,
  pointsCommands,
  familyCommands,
  couponCommands,
  loyaltyCommands,
  announcerCommands,
  broadcastCommands,
  releaseCommands,
  galleryCommands,
  visionCommands,
  rolloutCommands,
];

/** The groups that exist only on the data dir; they keep working without the `local` prefix. */
export const LOCAL_ONLY_GROUPS: readonly string[] = ['certificates', 'policies', 'provisioning'];

export function overviewHelp(): string {
  const width = Math.max(...API_GROUPS.map((g) => g.name.length));
  const lines = API_GROUPS.map((g) => `  fleetctl ${g.name.padEnd(width)}  ${g.summary}`);
  return `fleetctl — the Cartfleet command line

Over the operations API (sign in first; works from any machine that reaches the fleet's HTTP port):
${lines.join('\n')}

On the fleet host, on the data dir (no server or sign-in needed; see \`fleetctl local --help\`):
  fleetctl local devices|stores ...       register, list, revoke devices straight in the registry
  fleetctl certificates|policies|provisioning ...   (the same as \`fleetctl local certificates ...\`)

Every API command takes --json (the API's JSON, for scripts) and --help (with examples).
Exit codes: 0 ok, 1 the fleet refused or failed (error CODE: message), 2 bad command line, 3 not signed in.
Credentials: fleetctl login stores them in $XDG_CONFIG_HOME/cartfleet/credentials.json (0600);
FLEETCTL_SERVER and FLEETCTL_TOKEN override it.

Examples:
  fleetctl login --server http://fleet.store.local:8080 --username alice
  fleetctl devices list --presence offline
  fleetctl commands send cart-xuhui-101 locate --wait
  fleetctl devices --help`;
}

/** Runs one API command line; resolves to the process's exit code. Errors are printed here, once. */
export async function runApiCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  const json = argv.includes('--json');
  const ctx = createContext(env, json);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const text = overviewHelp();
    if (name) {
      ctx.out.line(text);
      return EXIT.ok;
    }
    process.stderr.write(`${text}\n`);
    return EXIT.usage;
  }
  const group = API_GROUPS.find((g) => g.name === name);
  try {
    if (!group) throw new CliError(EXIT.usage, 'USAGE', `unknown command: ${name}`, { hint: 'see `fleetctl --help`' });
    return await group.run(rest, ctx);
  } catch (err) {
    ctx.out.clearProgress();
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    // Details the message already says (one problem, joined into it) are not repeated.
    for (const detail of err.options.details ?? []) {
      if (!err.message.includes(detail)) process.stderr.write(`  ${detail}\n`);
    }
    if (err.options.hint) process.stderr.write(`hint: ${err.options.hint}\n`);
    return err.exitCode;
  }
}
