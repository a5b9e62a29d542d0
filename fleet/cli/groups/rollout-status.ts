import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Rollout,
  RolloutDevice,
  RolloutDevicePage,
  RolloutPreview,
  RolloutState,
} from '../../../protocol/api/rollouts.ts';
import type { CliContext } from '../cli-context.ts';
import type { Colour, Output } from '../output.ts';

type Counts = Rollout['counts'];

const BAR_WIDTH = 30;
const FINISHED: ReadonlySet<RolloutState> = new Set(['completed', 'aborted', 'canceled']);
/** Failing devices shown under the phases (the console and `--json` have them all). */
const FAILING_SHOWN = 20;

/**
 * One phase's progress as a bar of 30 cells: succeeded █, failed (failed, rejected, timed out) ▓, on the way (queued,
 * in progress) ▒, not yet (pending, canceled) ░ — readable without colour, coloured on a terminal.
 */
export function progressBar(out: Output, c: Counts): string {
  if (c.total === 0) return `[${' '.repeat(BAR_WIDTH)}]`;
  const failed = c.failed + c.rejected + c.timedOut;
  const moving = c.queued + c.inProgress;
  const cells = (n: number) => Math.round((n / c.total) * BAR_WIDTH);
  const ok = cells(c.succeeded);
  const bad = Math.min(BAR_WIDTH - ok, cells(failed));
  const busy = Math.min(BAR_WIDTH - ok - bad, cells(moving));
  const rest = BAR_WIDTH - ok - bad - busy;
  return `[${out.paint('█'.repeat(ok), 'green')}${out.paint('▓'.repeat(bad), 'red')}${out.paint('▒'.repeat(busy), 'yellow')}${'░'.repeat(rest)}]`;
}

export function countsText(c: Counts): string {
  const parts = [`${c.succeeded}/${c.total} ok`];
  const failed = c.failed + c.rejected + c.timedOut;
  if (failed > 0) parts.push(`${failed} failed`);
  if (c.queued + c.inProgress > 0) parts.push(`${c.queued + c.inProgress} on the way`);
  if (c.pending > 0) parts.push(`${c.pending} waiting`);
  if (c.canceled > 0) parts.push(`${c.canceled} canceled`);
  return parts.join(', ');
}

export function stateColour(state: RolloutState): Colour | undefined {
  if (state === 'completed') return 'green';
  if (state === 'aborted' || state === 'canceled') return 'red';
  if (state === 'paused') return 'yellow';
  return 'cyan';
}

/** The rollout, its phases as progress bars, and its failing devices. */
export function printStatus(out: Output, rollout: Rollout, failing: RolloutDevice[]): void {
  out.fields([
    ['rollout', `${rollout.id}  ${rollout.name}`],
    ['release', `${rollout.releaseName}@${rollout.version} (${rollout.component}, ${rollout.releaseId})`],
    [
      'state',
      `${out.paint(rollout.state, stateColour(rollout.state))}${rollout.stateReason ? ` — ${rollout.stateReason}` : ''}`,
    ],
    ['job', rollout.jobId],
    ['stores', rollout.storeIds.join(', ') || null],
    ['devices', countsText(rollout.counts)],
  ]);
  out.heading('Phases');
  const width = Math.max(...rollout.phases.map((p) => p.name.length));
  for (const p of rollout.phases) {
    const state = p.state === 'pending' ? out.paint('pending', 'grey') : p.state;
    out.line(`${p.name.padEnd(width)}  ${progressBar(out, p.counts)}  ${countsText(p.counts)}  ${state}`);
  }
  if (failing.length === 0) return;
  out.heading('Failing devices');
  out.table(failing.slice(0, FAILING_SHOWN), [
    { header: 'DEVICE', value: (d) => d.thingName },
    { header: 'STORE', value: (d) => d.storeId },
    { header: 'STATUS', value: (d) => d.status, colour: () => 'red' },
    { header: 'REASON', value: (d) => d.reason },
    { header: 'TRIES', value: (d) => d.attempts, align: 'right' },
    { header: 'MESSAGE', value: (d) => d.message, max: 60 },
  ]);
  if (failing.length > FAILING_SHOWN) out.note(`${failing.length - FAILING_SHOWN} more failing (--json for all)`);
}

export function printPreview(out: Output, preview: RolloutPreview, phaseNames: string[]): void {
  out.fields([['devices', preview.devices]]);
  out.heading('Phases');
  preview.perPhase.forEach((n, i) => {
    out.line(`${(phaseNames[i] ?? `phase ${i + 1}`).padEnd(10)}  ${n}`);
  });
  out.heading('Stores');
  out.table(preview.byStore, [
    { header: 'STORE', value: (s) => s.storeId },
    { header: 'DEVICES', value: (s) => s.devices, align: 'right' },
  ]);
  if (preview.excluded.length > 0) {
    out.heading('Left out');
    out.table(preview.excluded, [
      { header: 'REASON', value: (e) => e.reason },
      { header: 'DEVICES', value: (e) => e.devices, align: 'right' },
    ]);
  }
  if (preview.problems.length > 0) {
    out.heading(out.paint('Problems (the fleet would refuse it)', 'red'));
    for (const p of preview.problems) out.line(`  ${p}`);
  }
}

export async function fetchStatus(
  ctx: CliContext,
  id: string,
): Promise<{ rollout: Rollout; failing: RolloutDevice[] }> {
  const path = `/api/rollouts/${encodeURIComponent(id)}`;
  const rollout = await ctx.api().get<Rollout>(path);
  const failing: RolloutDevice[] = [];
  for (const status of ['FAILED', 'TIMED_OUT', 'REJECTED'] as const) {
    const page = await ctx.api().get<RolloutDevicePage>(`${path}/devices`, { status, limit: 500 });
    failing.push(...page.items);
  }
  return { rollout, failing };
}

/**
 * `--watch`: the status again every `everyMs` until the rollout ends. On a terminal the screen is redrawn in place;
 * elsewhere (a CI log) the status is printed again only when it changed. Resolves to the last status.
 */
export async function watchStatus(
  ctx: CliContext,
  id: string,
  everyMs: number,
): Promise<{ rollout: Rollout; failing: RolloutDevice[] }> {
  const tty = Boolean(process.stdout.isTTY);
  let shown = '';
  for (;;) {
    const status = await fetchStatus(ctx, id);
    const key = JSON.stringify([
      status.rollout.state,
      status.rollout.phases.map((p) => p.counts),
      status.failing.length,
    ]);
    if (!ctx.out.json && key !== shown) {
      if (tty) process.stdout.write('\u001b[H\u001b[2J');
      else if (shown !== '') ctx.out.line();
      printStatus(ctx.out, status.rollout, status.failing);
      shown = key;
    }
    if (FINISHED.has(status.rollout.state)) return status;
    await sleep(everyMs);
  }
}
