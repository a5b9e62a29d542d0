import { useState } from 'preact/hooks';
import { ROLLOUT_DEVICE_STATUSES } from '../../../../protocol/api/rollouts.ts';
import { api, enc } from '../../api/api-client.ts';
import type { Me, Rollout, RolloutDevice, RolloutDevicePage } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { storeName, useStores } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource, useThrottled } from '../../app/use-resource.ts';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { DeviceStatusBadge } from './ota-badges.tsx';
import { describeOtaError } from './ota-errors.ts';
import { DEVICE_STATUS_LABELS, REASON_TEXT, RETRYABLE_STATUSES, STEP_LABELS } from './ota-labels.ts';
import { applyDeviceEvent, type DeviceFilter, logLines } from './rollout-live.ts';

const PAGE_SIZE = 100;

/** The devices filter in the URL (`?phase=&status=`), so a link can point at a phase's failures. */
export function deviceFilterOf(query: URLSearchParams): DeviceFilter {
  const phase = query.get('phase');
  return { phase: phase !== null && /^\d+$/.test(phase) ? Number(phase) : null, status: query.get('status') || null };
}

/**
 * A rollout's devices with what each agent last reported (status, step, progress, reason and message; the last log
 * lines of a failure when the row is opened), filterable by phase and status, updated live from `rollout-device`.
 * A failed device can be retried by `rollouts:retry-device` (a technician on site, or HQ).
 */
export function RolloutDevices({ me, rollout, query }: { me: Me; rollout: Rollout; query: URLSearchParams }) {
  const stores = useStores();
  const filter = deviceFilterOf(query);
  const offset = queryOffset(query);
  const list = useResource(
    () =>
      api.get<RolloutDevicePage>(`/api/rollouts/${enc(rollout.id)}/devices`, {
        phase: filter.phase ?? undefined,
        status: filter.status ?? undefined,
        limit: PAGE_SIZE,
        offset,
      }),
    [rollout.id, filter.phase, filter.status, offset],
  );
  const reload = useThrottled(list.reload, 1000);
  useReconnect(list.reload);
  useLiveEvent('rollout-device', (event) => {
    // Patched on the newest page (events can come faster than renders); whether it asks for a reload is judged on
    // the page shown.
    list.mutate((page) => page && applyDeviceEvent(page, rollout.id, event, filter).page);
    if (list.data && applyDeviceEvent(list.data, rollout.id, event, filter).stale) reload();
  });
  const [open, setOpen] = useState<string | null>(null);
  const canRetry = can(me, 'rollouts:retry-device');
  const set = (key: string) => (value: string) => setQuery({ [key]: value, offset: null });

  const retry = async (d: RolloutDevice) => {
    try {
      const updated = await api.post<RolloutDevice | undefined>(
        `/api/rollouts/${enc(rollout.id)}/devices/${enc(d.thingName)}/retry`,
        {},
      );
      toast('success', `${d.thingName} will be tried again.`);
      if (updated?.thingName) {
        list.mutate(
          (page) => page && applyDeviceEvent(page, rollout.id, { rolloutId: rollout.id, device: updated }, filter).page,
        );
      } else list.reload();
    } catch (err) {
      toast('error', describeOtaError(err));
    }
  };

  return (
    <section class="panel panel-flush" data-testid="rollout-devices">
      <header class="panel-header">
        <h2>Devices</h2>
        <div class="filters">
          <select
            value={filter.phase ?? ''}
            onChange={(e) => set('phase')((e.currentTarget as HTMLSelectElement).value)}
            aria-label="Phase"
            data-testid="filter-phase"
          >
            <option value="">Every phase</option>
            {rollout.phases.map((p) => (
              <option key={p.index} value={p.index}>
                {p.name}
              </option>
            ))}
          </select>
          <select
            value={filter.status ?? ''}
            onChange={(e) => set('status')((e.currentTarget as HTMLSelectElement).value)}
            aria-label="Status"
            data-testid="filter-status"
          >
            <option value="">Any status</option>
            {ROLLOUT_DEVICE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {DEVICE_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      </header>
      <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No device matches these filters.">
        {(items) => (
          <div class="table-scroll">
            <table class="table" data-testid="rollout-devices-table">
              <thead>
                <tr>
                  <th>Device</th>
                  <th>Store</th>
                  <th>Phase</th>
                  <th>Status</th>
                  <th>Step</th>
                  <th>Reason</th>
                  <th class="num">Attempts</th>
                  <th>Updated</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((d) => [
                  <tr
                    key={d.thingName}
                    class="clickable"
                    data-testid="rollout-device-row"
                    data-thing={d.thingName}
                    data-status={d.status}
                    data-step={d.step ?? ''}
                    onClick={() => setOpen(open === d.thingName ? null : d.thingName)}
                  >
                    <td>
                      <a class="mono" href={`/devices/${enc(d.thingName)}`} onClick={(e) => e.stopPropagation()}>
                        {d.thingName}
                      </a>
                    </td>
                    <td class="wrap">{storeName(stores, d.storeId)}</td>
                    <td>{rollout.phases[d.phase]?.name ?? d.phase + 1}</td>
                    <td>
                      <DeviceStatusBadge status={d.status} />
                    </td>
                    <td data-testid="device-step">
                      {d.step ? STEP_LABELS[d.step] : '—'}
                      {d.progress !== null && d.status === 'IN_PROGRESS' ? (
                        <span class="step-progress" data-testid="device-progress" data-progress={d.progress}>
                          <progress max={100} value={d.progress} />
                          <span class="tabular small">{d.progress}%</span>
                        </span>
                      ) : null}
                    </td>
                    <td data-testid="device-reason" title={d.reason ? REASON_TEXT[d.reason] : undefined}>
                      {d.reason ? <span class="mono small">{d.reason}</span> : '—'}
                    </td>
                    <td class="num tabular">{d.attempts}</td>
                    <td class="muted nowrap" title={absoluteTime(d.updatedAt)}>
                      {relativeTime(d.updatedAt)}
                    </td>
                    <td>
                      {canRetry && RETRYABLE_STATUSES.includes(d.status) ? (
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={(e) => {
                            e.stopPropagation();
                            void retry(d);
                          }}
                          data-testid="device-retry"
                        >
                          Retry
                        </button>
                      ) : null}
                    </td>
                  </tr>,
                  open === d.thingName ? (
                    <tr key={`${d.thingName}-details`} class="details-row" data-testid="rollout-device-details">
                      <td colSpan={9}>
                        <DeviceDetails device={d} />
                      </td>
                    </tr>
                  ) : null,
                ])}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </section>
  );
}

function DeviceDetails({ device: d }: { device: RolloutDevice }) {
  return (
    <div class="device-details">
      {d.reason ? (
        <p>
          <strong>{REASON_TEXT[d.reason]}</strong> <span class="mono small">{d.reason}</span>
        </p>
      ) : null}
      {d.message ? <p data-testid="device-message">{d.message}</p> : null}
      <p class="muted small">
        Execution {d.executionNumber ?? '—'} · queued {absoluteTime(d.queuedAt)} · last update{' '}
        {absoluteTime(d.updatedAt)}
      </p>
      {d.logs ? (
        <pre class="device-logs" data-testid="device-logs">
          {logLines(d.logs).join('\n')}
        </pre>
      ) : (
        <p class="muted small">No log lines (a device sends its last lines with a failure).</p>
      )}
    </div>
  );
}
