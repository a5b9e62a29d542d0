import { OTA_SHADOW } from '../../../../protocol/ota/device-ota.ts';
import { OTA_COMPONENTS } from '../../../../protocol/ota/release.ts';
import { ApiError, api, enc } from '../../api/api-client.ts';
import type { ComponentSlots, DeviceOta, Me } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource, useThrottled } from '../../app/use-resource.ts';
import { Badge } from '../../components/status.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { DeviceStatusBadge } from '../ota/ota-badges.tsx';
import { describeOtaError } from '../ota/ota-errors.ts';
import { COMPONENT_LABELS, REASON_TEXT, RETRYABLE_STATUSES, SLOT_LABELS, STEP_LABELS } from '../ota/ota-labels.ts';

type Slot = ComponentSlots['a'];

function SlotCell({ slot, active, trial }: { slot: Slot; active: boolean; trial: boolean }) {
  return (
    <td class={active ? 'slot-active' : ''} data-active={active ? 'true' : 'false'}>
      {slot ? (
        <>
          {slot.name} <span class="mono">{slot.version}</span>
        </>
      ) : (
        <span class="muted">empty</span>
      )}
      {active ? <Badge tone="ok">active</Badge> : null}
      {trial ? <Badge tone="warn">on trial</Badge> : null}
    </td>
  );
}

/**
 * A device's OTA state (`GET /api/devices/:thingName/ota`): per component its A/B slots as the agent reports them
 * in the named shadow `ota` (which is active, a slot on trial not yet committed), the update it is on, its last
 * rollback and why, whether it sits in the penalty box, and its update history. Follows the shadow and the
 * rollout-device events live; a technician retries a failed update from here.
 */
export function UpdatesPanel({ me, thingName }: { me: Me; thingName: string }) {
  const ota = useResource(() => api.get<DeviceOta>(`/api/devices/${enc(thingName)}/ota`), [thingName]);
  const reload = useThrottled(ota.reload, 1000);
  useReconnect(ota.reload);
  useLiveEvent('shadow', (e) => {
    if (e.thingName === thingName && e.shadowName === OTA_SHADOW) reload();
  });
  useLiveEvent('rollout-device', (e) => {
    if (e.device.thingName === thingName) reload();
  });

  // Outside the reader's permission or scope: the panel is simply not there.
  if (ota.error instanceof ApiError && (ota.error.status === 403 || ota.error.status === 404)) return null;
  const d = ota.data;
  const reported = d?.reported ?? null;
  const components = OTA_COMPONENTS.filter((c) => reported?.components[c]);

  const retry = async (rolloutId: string) => {
    try {
      await api.post(`/api/rollouts/${enc(rolloutId)}/devices/${enc(thingName)}/retry`, {});
      toast('success', `${thingName} will be tried again.`);
      ota.reload();
    } catch (err) {
      toast('error', describeOtaError(err));
    }
  };

  return (
    <section class="panel" data-testid="device-updates">
      <header class="panel-header">
        <h2>Updates</h2>
        {d?.penaltyBox ? (
          <Badge tone="bad" testId="penalty-box">
            In the penalty box
          </Badge>
        ) : null}
      </header>
      {!d ? (
        <p class="pad muted">{ota.error ? describeOtaError(ota.error) : 'Loading…'}</p>
      ) : (
        <>
          {d.penaltyBox ? (
            <p class="pad small">
              It failed updates repeatedly: new rollouts leave it out until a technician retries it or the failures age
              out.
            </p>
          ) : null}
          {reported?.job ? (
            <p class="pad" data-testid="device-updates-job">
              Updating now: <strong>{STEP_LABELS[reported.job.step]}</strong>{' '}
              <span class="muted small mono">{reported.job.jobId}</span>
            </p>
          ) : null}
          {components.length === 0 ? (
            <p class="pad muted" data-testid="device-updates-no-slots">
              The device has not reported its slots yet.
            </p>
          ) : (
            <table class="table" data-testid="device-slots">
              <thead>
                <tr>
                  <th>Component</th>
                  <th>{SLOT_LABELS.a}</th>
                  <th>{SLOT_LABELS.b}</th>
                </tr>
              </thead>
              <tbody>
                {components.map((c) => {
                  const s = reported!.components[c]!;
                  return (
                    <tr key={c} data-testid={`slots-${c}`} data-active={s.active} data-trial={s.trial ?? ''}>
                      <td>{COMPONENT_LABELS[c]}</td>
                      <SlotCell slot={s.a} active={s.active === 'a'} trial={s.trial === 'a'} />
                      <SlotCell slot={s.b} active={s.active === 'b'} trial={s.trial === 'b'} />
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {reported?.lastRollback ? (
            <div class="callout callout-warn" data-testid="device-last-rollback">
              {/* fromVersion → toVersion is the update it tried (as in the job's statusDetails); it is back on fromVersion. */}
              <strong>Rolled back</strong>{' '}
              <span title={absoluteTime(reported.lastRollback.at)}>{relativeTime(reported.lastRollback.at)}</span>:{' '}
              {COMPONENT_LABELS[reported.lastRollback.component].toLowerCase()}{' '}
              <span class="mono">{reported.lastRollback.toVersion}</span> did not hold, back on{' '}
              <span class="mono">{reported.lastRollback.fromVersion}</span>. {REASON_TEXT[reported.lastRollback.reason]}{' '}
              <span class="mono small">{reported.lastRollback.reason}</span>
            </div>
          ) : null}
          <h3 class="subhead">History</h3>
          {d.history.length === 0 ? (
            <p class="pad muted small">No update has been sent to it.</p>
          ) : (
            <div class="table-scroll">
              <table class="table" data-testid="device-update-history">
                <tbody>
                  {d.history.map((h) => (
                    <tr key={`${h.rolloutId}-${h.attempts}`} data-testid="update-history-row" data-status={h.status}>
                      <td class="nowrap">
                        {can(me, 'rollouts:read') ? (
                          <a href={`/updates/rollouts/${enc(h.rolloutId)}`}>
                            {COMPONENT_LABELS[h.component]} <span class="mono">{h.version}</span>
                          </a>
                        ) : (
                          <>
                            {COMPONENT_LABELS[h.component]} <span class="mono">{h.version}</span>
                          </>
                        )}
                      </td>
                      <td>
                        <DeviceStatusBadge status={h.status} />
                      </td>
                      <td title={h.reason ? REASON_TEXT[h.reason] : undefined}>
                        {h.reason ? <span class="mono small">{h.reason}</span> : null}
                        {h.message ? <div class="muted small">{h.message}</div> : null}
                      </td>
                      <td class="muted nowrap">
                        {h.attempts > 1 ? `${h.attempts} attempts · ` : ''}
                        {relativeTime(h.updatedAt)}
                      </td>
                      <td>
                        {can(me, 'rollouts:retry-device') && RETRYABLE_STATUSES.includes(h.status) ? (
                          <button
                            type="button"
                            class="btn btn-small"
                            onClick={() => void retry(h.rolloutId)}
                            data-testid="history-retry"
                          >
                            Retry
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
