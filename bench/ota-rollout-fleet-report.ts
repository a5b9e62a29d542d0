/** The tables of bench/ota-rollout-fleet.ts: medians over the rounds, each round's own ratio to its baseline. */
import { cpus } from 'node:os';
import { TARGET_PER_SECOND } from './jobs-updates.ts';
import { fmt, markdownTable, median } from './lib/common.ts';
import type { NotifyRound, RolloutFleetReport, WorkRound } from './ota-rollout-fleet.ts';

/** Issue 10 item 12: every device of a 1,000-device rollout notified within 5 s (and ≥ 500 updates/s). */
export const TARGET_NOTIFIED_MS = 5_000;
export { TARGET_PER_SECOND };

/** How the devices were notified: the broker's loop (floor), a plain job, a rollout through the API. */
export type NotifyPath = 'fanout' | 'jobs' | 'rollout';
/** Whose job the devices then ran: the plain job (baseline) or the rollout's. */
export type WorkPath = 'jobs' | 'rollout';

const NOTIFY_LABEL: Record<NotifyPath, string> = {
  fanout: 'baseline: broker publish loop, one notify-next-sized message per device (fan-out floor)',
  jobs: 'jobs service alone: createJob + queueExecutions in process',
  rollout: '**rollout: `POST /api/rollouts`** (plan, job, engine, every device queued)',
};
const ANSWERED_LABEL: Record<NotifyPath, string> = {
  fanout: 'loop returned',
  jobs: 'calls returned',
  rollout: 'HTTP 201',
};
const WORK_LABEL: Record<WorkPath, string> = {
  jobs: 'baseline: the plain job (jobs service, no engine)',
  rollout: '**the rollout** (engine following, counts, until `completed`)',
};

export function renderRolloutFleet(r: Omit<RolloutFleetReport, 'markdown'>): string {
  const p = r.parameters;
  const notifyOf = (path: NotifyPath) => r.notify.filter((n) => n.path === path);
  const workOf = (path: WorkPath) => r.work.filter((w) => w.path === path);
  const ratio = <T extends { round: number }>(rows: T[], base: T[], value: (row: T) => number) =>
    median(rows.map((row) => value(row) / value(base.find((b) => b.round === row.round) ?? row)));
  const list = (values: number[]) => values.map((v) => fmt(v, 0)).join(', ');

  const notifyRows = (['fanout', 'jobs', 'rollout'] as const).map((path) => {
    const rows = notifyOf(path);
    return [
      NOTIFY_LABEL[path],
      `${fmt(median(rows.map((n) => n.p50)), 0)} ms`,
      `${fmt(median(rows.map((n) => n.p95)), 0)} ms`,
      `${fmt(median(rows.map((n) => n.max)), 0)} ms`,
      list(rows.map((n) => n.max)),
      `${ANSWERED_LABEL[path]} ${fmt(median(rows.map((n) => n.answeredMs)), 0)} ms`,
      path === 'fanout'
        ? '1.00'
        : fmt(
            ratio(rows, notifyOf('fanout'), (n: NotifyRound) => n.max),
            2,
          ),
    ];
  });
  const workRows = (['jobs', 'rollout'] as const).map((path) => {
    const rows = workOf(path);
    return [
      WORK_LABEL[path],
      rows[0]?.updates ?? 0,
      `${fmt(median(rows.map((w) => w.ms)), 0)} ms`,
      `${fmt(median(rows.map((w) => w.perSecond)), 0)} /s`,
      list(rows.map((w) => w.perSecond)),
      fmt(median(rows.map((w) => w.fleetCpuPerUpdateUs)), 0),
      path === 'jobs'
        ? '1.00'
        : fmt(
            ratio(rows, workOf('jobs'), (w: WorkRound) => w.perSecond),
            2,
          ),
    ];
  });
  const allNotified = median(notifyOf('rollout').map((n) => n.max));
  const rate = median(workOf('rollout').map((w) => w.perSecond));
  const verdict = (ok: boolean) => (ok ? 'met' : '**NOT met**');
  return [
    `## OTA rollout through the fleet (${p.devices} devices over mTLS in ${p.workers} worker threads, ${p.stores} stores; medians of ${p.rounds} rounds after a warm-up, order rotating)`,
    '',
    markdownTable(
      [
        'devices notified by',
        'p50',
        'p95',
        'all notified',
        'all notified, each round',
        'answered',
        'all notified ÷ floor (median of rounds)',
      ],
      notifyRows,
    ),
    '',
    markdownTable(
      [
        `then every device: start-next + ${(r.work[0]?.updates ?? 0) / p.devices - 1} updates, one at a time`,
        'updates',
        'first request → last answer / completed',
        'updates per second',
        'each round',
        'fleet-thread CPU µs/update',
        '÷ plain job (median of rounds)',
      ],
      workRows,
    ),
    '',
    `Targets: every device of the rollout notified ≤ ${fmt(TARGET_NOTIFIED_MS, 0)} ms — ` +
      `${verdict(allNotified <= TARGET_NOTIFIED_MS)} (${fmt(allNotified, 0)} ms); ≥ ${TARGET_PER_SECOND} execution ` +
      `updates/s — ${verdict(rate >= TARGET_PER_SECOND)} (${fmt(rate, 0)} /s).`,
    `Setup (not measured above): ${p.devices} devices registered in ${fmt(r.setup.registerMs / 1000)} s, ` +
      `connected over mTLS in ${fmt(r.setup.connectMs / 1000)} s. Load average (1 min) on ${cpus().length} cores: ` +
      `${fmt(r.loadAverage.start, 2)} at the start, ${fmt(r.loadAverage.end, 2)} at the end.`,
  ].join('\n');
}
