import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, type CommandStatus, isFinalCommandStatus } from '../../../protocol/api/commands.ts';
import {
  type CliContext,
  type CommandGroup,
  durationSeconds,
  groupHelp,
  integerOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';
import type { Colour } from '../output.ts';
import { parseAssignment } from './device-changes.ts';

const POLL_MS = 500;

export const remoteCommands: CommandGroup = {
  name: 'commands',
  summary: 'send remote commands (reboot, locate, diagnostics, logs) and read their results',
  help: `fleetctl commands — remote commands to a device

  fleetctl commands send THING reboot|locate|diagnostics|logs [--param k=v]... [--queue-for 10m] [--wait]
  fleetctl commands list THING [--limit N]
  fleetctl commands show COMMAND_ID

To an offline device a command is refused (DEVICE_OFFLINE) unless --queue-for gives it time to come back
(up to 24h; 90s, 10m, 2h). --wait follows the command (progress on stderr) until it succeeds, fails, times out
or expires, then prints its result; the exit code is 1 unless it succeeded.
Parameters: locate seconds=N (default 10, ≤ 60); logs lines=N (≤ 500) level=info|warn|error...

Examples:
  fleetctl commands send cart-xuhui-101 locate --param seconds=20 --wait
  fleetctl commands send spk-xuhui-001 reboot --queue-for 30m
  fleetctl commands send cart-xuhui-101 logs --param lines=100 --param level=warn --wait --json
  fleetctl commands list cart-xuhui-101`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      param: { type: 'string', multiple: true },
      'queue-for': { type: 'string' },
      wait: { type: 'boolean', default: false },
      limit: { type: 'string' },
    });
    const [action, target, name] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'send': {
        const thing = required(target, 'THING', 'commands');
        const command = required(name, 'the command name (reboot, locate, diagnostics, logs)', 'commands');
        // `locate seconds=30` would otherwise send locate with its defaults, as if the parameter had been taken.
        const extra = positionals[3];
        if (extra !== undefined) {
          throw usageError(`unexpected argument '${extra}'`, `parameters go with --param, e.g. --param ${extra}`);
        }
        const params = Object.fromEntries((values.param ?? []).map(parseAssignment));
        const queueForSeconds = values['queue-for'] ? durationSeconds(values['queue-for'], '--queue-for') : 0;
        const sent = await ctx
          .api()
          .post<Command>(`/api/devices/${encodeURIComponent(thing)}/commands`, {
            name: command,
            ...(Object.keys(params).length > 0 ? { params } : {}),
            queueForSeconds,
          })
          .catch((err: unknown) => {
            if (err instanceof CliError && err.code === 'DEVICE_OFFLINE') {
              err.options.hint = 'add --queue-for 10m (up to 24h) to deliver it when the device is back';
            }
            throw err;
          });
        const final = values.wait ? await follow(ctx, sent) : sent;
        if (ctx.out.json) ctx.out.printJson(final);
        else printCommand(ctx, final);
        return values.wait && final.status !== 'succeeded' ? EXIT.failed : EXIT.ok;
      }
      case 'list': {
        const thing = required(target, 'THING', 'commands');
        const limit = integerOption(values.limit, '--limit', 1);
        const commands = await ctx
          .api()
          .get<Command[]>(`/api/devices/${encodeURIComponent(thing)}/commands`, { limit });
        if (ctx.out.json) {
          ctx.out.printJson(commands);
          return EXIT.ok;
        }
        ctx.out.table(commands, [
          { header: 'ID', value: (c) => c.id.slice(0, 8) },
          { header: 'COMMAND', value: (c) => c.name },
          { header: 'STATUS', value: (c) => c.status, colour: (c) => statusColour(c.status) },
          { header: 'BY', value: (c) => c.requestedBy, max: 20 },
          { header: 'REQUESTED', value: (c) => ctx.out.ago(c.requestedAt) },
          { header: 'RESULT', value: (c) => outcome(c), max: 60 },
        ]);
        return EXIT.ok;
      }
      case 'show': {
        const id = required(target, 'COMMAND_ID', 'commands');
        const command = await ctx.api().get<Command>(`/api/commands/${encodeURIComponent(id)}`);
        if (ctx.out.json) ctx.out.printJson(command);
        else printCommand(ctx, command);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: commands ${action}`, 'see `fleetctl commands --help`');
    }
  },
};

/** Polls the command until its status is final; the server's own timeout guarantees that it becomes final. */
async function follow(ctx: CliContext, command: Command): Promise<Command> {
  let current = command;
  const started = Date.now();
  while (!isFinalCommandStatus(current.status)) {
    ctx.out.progress(
      `${current.name} → ${current.thingName}: ${current.status} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    await sleep(POLL_MS);
    current = await ctx.api().get<Command>(`/api/commands/${encodeURIComponent(current.id)}`);
  }
  ctx.out.clearProgress();
  return current;
}

function printCommand(ctx: CliContext, c: Command): void {
  ctx.out.fields([
    ['command', `${c.name} ${Object.keys(c.params).length > 0 ? JSON.stringify(c.params) : ''}`.trim()],
    ['id', c.id],
    ['device', c.thingName],
    ['status', ctx.out.paint(c.status, statusColour(c.status))],
    ['requested', `${ctx.out.ago(c.requestedAt)} by ${c.requestedBy}`],
    ['sent', ctx.out.ago(c.sentAt)],
    ['completed', ctx.out.ago(c.completedAt)],
    ...(c.completedAt === null ? ([['expires', ctx.out.ago(c.expiresAt)]] as [string, string][]) : []),
    ...(c.error ? ([['error', `${c.error.code}: ${c.error.message}`]] as [string, string][]) : []),
  ]);
  if (c.result) {
    ctx.out.heading('Result');
    ctx.out.line(JSON.stringify(c.result, null, 2));
  }
}

function outcome(c: Command): string {
  if (c.error) return `${c.error.code}: ${c.error.message}`;
  return c.result ? JSON.stringify(c.result) : '';
}

function statusColour(status: CommandStatus): Colour | undefined {
  if (status === 'succeeded') return 'green';
  return isFinalCommandStatus(status) ? 'red' : 'yellow';
}
