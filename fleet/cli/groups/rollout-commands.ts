import type {
  Rollout,
  RolloutDevice,
  RolloutPage,
  RolloutPreview,
  RolloutSpec,
} from '../../../protocol/api/rollouts.ts';
import { ROLLOUT_STATES } from '../../../protocol/api/rollouts.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';
import {
  CREATE_OPTIONS,
  type CreateOptions,
  DEFAULT_ABORT_MIN,
  resolveRelease,
  specFromOptions,
} from './rollout-spec-options.ts';
import {
  countsText,
  fetchStatus,
  printPreview,
  printStatus,
  progressBar,
  stateColour,
  watchStatus,
} from './rollout-status.ts';

export const rolloutCommands: CommandGroup = {
  name: 'rollouts',
  summary: 'OTA rollouts: create (or preview), status --watch, list, pause, resume, cancel, abort, retry a device',
  help: `fleetctl rollouts — a release to a set of devices, in phases, through AWS IoT Jobs

  fleetctl rollouts create --release ID|NAME@VERSION [targets] [phases] [safety] [--dry-run] [--json]
  fleetctl rollouts status ID [--watch] [--every SECONDS] [--json]
  fleetctl rollouts list [--state STATE] [--store ID] [--release ID] [--limit N]
  fleetctl rollouts pause|resume|cancel|abort ID [--reason TEXT]
  fleetctl rollouts retry ID THING          a failed device, now (and out of the penalty box)

Targets (every one given must hold; lists take commas or repeats):
  --stores ID,..  --regions R,..  --tags T,.. (all of them)  --kinds cart,speaker  --models M,..
  --things NAME,..  --current RANGE (installed version, e.g. "<1.4.0")
Phases:
  --canary N            a first phase of N devices
  --phases 10,50,100    cumulative: reach 10 %, then 50 %, then all (default 100)
  --after-success P     each phase after the first waits for P % of the previous one to succeed (default 95)
  --start-at TIME       start later (2027-01-15T02:00+08:00)
Safety:
  --rate N              devices queued per minute (default: no limit)
  --bandwidth KBPS      download cap per store, shared by its devices (default: none)
  --abort-threshold P   abort when P % of finished devices failed (default 20) ...
  --abort-min N         ... once N have finished (default ${DEFAULT_ABORT_MIN}, or the whole target if smaller)
  --abort-on TYPES      which failures count: FAILED,REJECTED,TIMED_OUT (default all three)
  --retries-failed N  --retries-timed-out N   retries per failure type (default 0; 10 in all)
  --timeout-minutes N   an execution in progress longer than this times out (default 60)
  --health-timeout S    the device's health check after the switch (default 300)
  --trial-boots N       boots the new software may take before it commits (default 3)
  --no-windows          queue at any time, not only in the stores' maintenance windows
  --allow-downgrade     install even where the release is older than what runs

--dry-run previews: how many devices, per phase and per store, who is left out and why, and the problems the fleet
would refuse it for. status --watch redraws until the rollout ends; its exit code is 1 unless it completed.

Examples:
  fleetctl rollouts create --release cart-runtime@1.4.0 --stores hf-shanghai-xuhui --canary 2 --phases 50,100 --dry-run
  fleetctl rollouts create --release rel-3f2a --kinds cart --current "<1.4.0" --canary 5 --phases 10,50,100 --rate 60
  fleetctl rollouts status ro-1a2b3c --watch
  fleetctl rollouts abort ro-1a2b3c --reason "camera driver regression"`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      ...CREATE_OPTIONS,
      'dry-run': { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      every: { type: 'string' },
      state: { type: 'string' },
      store: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
    });
    const [action, target, thing] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const id = () => encodeURIComponent(required(target, 'the rollout ID', 'rollouts'));
    switch (action) {
      case 'create': {
        const releaseId = await resolveRelease(ctx, values.release);
        const options = values as CreateOptions;
        let spec = specFromOptions(options, releaseId, DEFAULT_ABORT_MIN);
        const preview = await ctx.api().post<RolloutPreview>('/api/rollouts/preview', spec);
        if (options['abort-min'] === undefined && preview.devices > 0 && preview.devices < DEFAULT_ABORT_MIN) {
          spec = specFromOptions(options, releaseId, preview.devices);
        }
        if (values['dry-run']) {
          if (ctx.out.json) ctx.out.printJson(preview);
          else
            printPreview(
              ctx.out,
              preview,
              spec.phases.map((p) => p.name),
            );
          return preview.problems.length > 0 ? EXIT.failed : EXIT.ok;
        }
        const rollout = await ctx
          .api()
          .post<Rollout>('/api/rollouts', spec)
          .catch((err: unknown) => hint(err, spec));
        if (ctx.out.json) ctx.out.printJson(rollout);
        else {
          printStatus(ctx.out, rollout, []);
          ctx.out.note(`follow it: fleetctl rollouts status ${rollout.id} --watch`);
        }
        return EXIT.ok;
      }
      case 'status': {
        const everyMs = Math.round(Number(values.every ?? 2) * 1000);
        if (!Number.isFinite(everyMs) || everyMs < 100) throw usageError('--every is seconds, at least 0.1');
        const status = values.watch ? await watchStatus(ctx, id(), everyMs) : await fetchStatus(ctx, id());
        if (ctx.out.json) ctx.out.printJson({ ...status.rollout, failing: status.failing });
        else if (!values.watch) printStatus(ctx.out, status.rollout, status.failing);
        if (!values.watch) return EXIT.ok;
        return status.rollout.state === 'completed' ? EXIT.ok : EXIT.failed;
      }
      case 'list': {
        if (values.state && !(ROLLOUT_STATES as readonly string[]).includes(values.state)) {
          throw usageError(`--state must be one of ${ROLLOUT_STATES.join(', ')}`);
        }
        const page = await ctx.api().get<RolloutPage>('/api/rollouts', {
          state: values.state,
          storeId: values.store,
          releaseId: values.release,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(page.items, [
          { header: 'ID', value: (r) => r.id },
          { header: 'NAME', value: (r) => r.name, max: 30 },
          { header: 'RELEASE', value: (r) => `${r.releaseName}@${r.version}`, max: 32 },
          { header: 'STATE', value: (r) => r.state, colour: (r) => stateColour(r.state) },
          { header: 'PROGRESS', value: (r) => progressBar(ctx.out, r.counts) },
          { header: 'DEVICES', value: (r) => countsText(r.counts), max: 50 },
          { header: 'CREATED', value: (r) => ctx.out.ago(r.createdAt) },
        ]);
        if (page.total > page.items.length) ctx.out.note(`${page.items.length} of ${page.total} (--limit for more)`);
        return EXIT.ok;
      }
      case 'pause':
      case 'resume':
      case 'cancel':
      case 'abort': {
        const body = values.reason !== undefined ? { reason: values.reason } : {};
        const rollout = await ctx.api().post<Rollout>(`/api/rollouts/${id()}/${action}`, body);
        if (ctx.out.json) ctx.out.printJson(rollout);
        else ctx.out.line(`${rollout.id}: ${ctx.out.paint(rollout.state, stateColour(rollout.state))}`);
        return EXIT.ok;
      }
      case 'retry': {
        const name = required(thing, 'the THING to retry', 'rollouts');
        const device = await ctx
          .api()
          .post<RolloutDevice>(`/api/rollouts/${id()}/devices/${encodeURIComponent(name)}/retry`);
        if (ctx.out.json) ctx.out.printJson(device);
        else ctx.out.line(`${device.thingName}: ${device.status} (attempt ${device.attempts})`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: rollouts ${action}`, 'see `fleetctl rollouts --help`');
    }
  },
};

/** The refusals an operator fixes from the command line get the option that fixes them. */
function hint(err: unknown, spec: RolloutSpec): never {
  if (err instanceof CliError) {
    if (err.code === 'ROLLOUT_DOWNGRADE') err.options.hint = 'add --allow-downgrade if that is meant';
    if (err.code === 'ROLLOUT_INVALID' && spec.useMaintenanceWindows && err.message.includes('maintenance window')) {
      err.options.hint = 'set the stores’ windows (PUT /api/stores/ID/maintenance-windows), or add --no-windows';
    }
  }
  throw err;
}
