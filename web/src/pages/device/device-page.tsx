import { useState } from 'preact/hooks';
import { BROADCAST_SHADOW } from '../../../../protocol/broadcast/manifest.ts';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { DeviceDetail, Me } from '../../api/types.ts';
import { applyPresence, applyTelemetry } from '../../app/device-live.ts';
import { absoluteTime, relativeTime, temperature } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { storeName, useStores, zoneName } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource, useThrottled, useTick } from '../../app/use-resource.ts';
import { ErrorState, Loading } from '../../components/page-state.tsx';
import { BatteryGauge, KindLabel, PresenceBadge } from '../../components/status.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { NowPlayingCard, readAudioError, readCache, readNowPlaying } from '../broadcast/now-playing.tsx';
import { CommandsPanel } from './commands-panel.tsx';
import { DesiredStatePanel } from './desired-state-panel.tsx';
import { DeviceAlertsPanel } from './device-alerts-panel.tsx';
import { EventsPanel } from './events-panel.tsx';
import { ShadowPanel } from './shadow-panel.tsx';
import { TelemetryPanel } from './telemetry-panel.tsx';
import { UpdatesPanel } from './updates-panel.tsx';

export function DevicePage({ me, thingName }: { me: Me; thingName: string; query: URLSearchParams }) {
  const device = useResource(() => api.get<DeviceDetail>(`/api/devices/${enc(thingName)}`), [thingName]);
  const stores = useStores();
  useTick(10_000);
  const reload = useThrottled(device.reload, 1000);
  useReconnect(device.reload);

  useLiveEvent('presence', (e) => {
    if (e.thingName === thingName) device.mutate((d) => d && applyPresence(d, e));
  });
  useLiveEvent('telemetry', (e) => {
    if (e.thingName !== thingName) return;
    device.mutate(
      (d) => d && { ...applyTelemetry(d, e), latest: { ...d.latest, [e.stream]: { ts: e.ts, metrics: e.metrics } } },
    );
  });
  useLiveEvent('shadow', (e) => {
    if (e.thingName !== thingName) return;
    if (e.shadowName) return reload();
    device.mutate((d) => d && { ...d, shadow: { metadata: null, ...d.shadow, ...e.state, version: e.version } });
  });
  useLiveEvent('device', (e) => {
    if (e.thingName === thingName) device.mutate((d) => d && { ...d, ...e });
  });
  useLiveEvent('alert', (e) => {
    if (e.thingName === thingName) reload();
  });

  if (device.error && !device.data) return <ErrorState error={device.error} onRetry={device.reload} />;
  const d = device.data;
  if (!d) return <Loading />;
  const liveZone = d.zone ?? null;

  return (
    <div class="page" data-testid="device-page" data-thing={d.thingName}>
      <nav class="breadcrumbs">
        <a href="/devices">Devices</a>
        <span aria-hidden="true">/</span>
        {d.storeId ? (
          <a href={`/devices?storeId=${enc(d.storeId)}`}>{storeName(stores, d.storeId)}</a>
        ) : (
          <span>No store</span>
        )}
      </nav>
      <header class="device-hero">
        <div class={`device-glyph glyph-${d.presence.state}`}>
          <KindLabel kind={d.kind} />
        </div>
        <div class="device-title">
          <h1 data-testid="device-name">{d.thingName}</h1>
          <div class="device-meta">
            <PresenceBadge presence={d.presence} showSince />
            {d.presence.state === 'offline' && d.presence.disconnectReason ? (
              <span class="muted small">({d.presence.disconnectReason})</span>
            ) : null}
            {d.openAlerts ? (
              <span class="badge badge-bad">
                {d.openAlerts} open alert{d.openAlerts > 1 ? 's' : ''}
              </span>
            ) : null}
            {d.provisioning === 'pending-approval' ? <span class="badge badge-warn">Pending approval</span> : null}
            {d.kind === 'cart' && can(me, 'carts:screen') ? (
              <a class="btn btn-small" href={`/devices/${enc(d.thingName)}/screen`} data-testid="open-screen">
                Open screen
              </a>
            ) : null}
          </div>
        </div>
        <dl class="hero-stats">
          <div>
            <dt>Battery</dt>
            <dd data-testid="device-battery">
              <BatteryGauge battery={d.battery} charging={d.charging} />
            </dd>
          </div>
          <div>
            <dt>Temperature</dt>
            <dd class="tabular">{temperature(d.temperature)}</dd>
          </div>
          <div>
            <dt>{d.kind === 'cart' ? 'Zone now' : 'Zone'}</dt>
            <dd data-testid="device-zone">{zoneName(stores, liveZone ?? d.zoneId)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd title={absoluteTime(d.lastSeen)}>{relativeTime(d.lastSeen)}</dd>
          </div>
        </dl>
      </header>
      {d.provisioning === 'pending-approval' && can(me, 'devices:approve') ? (
        <ApproveDevice thingName={d.thingName} onApproved={device.reload} />
      ) : null}

      <div class="device-grid">
        <div class="device-col">
          {d.kind === 'speaker' && can(me, 'broadcast:read') ? (
            <section class="panel" data-testid="device-now-playing">
              <header class="panel-header">
                <h2>Now playing</h2>
                {d.storeId ? (
                  <a class="btn btn-small" href={`/broadcast?storeId=${enc(d.storeId)}`}>
                    Store broadcast
                  </a>
                ) : null}
              </header>
              <div class="pad">
                <NowPlayingCard
                  nowPlaying={readNowPlaying(d.shadow?.reported)}
                  cache={readCache(d.namedShadows?.[BROADCAST_SHADOW]?.reported)}
                  online={d.presence.state === 'online'}
                  audioError={readAudioError(d.shadow?.reported)}
                />
              </div>
            </section>
          ) : null}
          <TelemetryPanel thingName={d.thingName} />
          <CommandsPanel me={me} thingName={d.thingName} online={d.presence.state === 'online'} />
          {can(me, 'rollouts:read') ? <UpdatesPanel me={me} thingName={d.thingName} /> : null}
          <ShadowPanel shadow={d.shadow} namedShadows={d.namedShadows ?? {}} />
        </div>
        <div class="device-col">
          <DesiredStatePanel
            device={d}
            canEdit={can(me, 'devices:desired')}
            onShadow={(shadow) => device.mutate((x) => x && { ...x, shadow })}
          />
          <DeviceAlertsPanel me={me} thingName={d.thingName} />
          <section class="panel" data-testid="identity-panel">
            <header class="panel-header">
              <h2>Identity</h2>
            </header>
            <dl class="facts">
              <dt>Thing name</dt>
              <dd class="mono">{d.thingName}</dd>
              <dt>Kind</dt>
              <dd>
                <KindLabel kind={d.kind} />
              </dd>
              <dt>Hardware</dt>
              <dd>{d.hardwareModel}</dd>
              <dt>Store</dt>
              <dd>{storeName(stores, d.storeId)}</dd>
              <dt>Placed in</dt>
              <dd>{zoneName(stores, d.zoneId)}</dd>
              <dt>Software</dt>
              <dd class="mono">{d.softwareVersion ?? '—'}</dd>
              <dt>Tags</dt>
              <dd>
                {d.tags.length
                  ? d.tags.map((t) => (
                      <span class="tag" key={t}>
                        {t}
                      </span>
                    ))
                  : '—'}
              </dd>
              <dt>Provisioning</dt>
              <dd>{d.provisioning === 'active' ? 'Active' : 'Pending approval'}</dd>
            </dl>
            {d.certificates?.length ? (
              <>
                <h3 class="subhead">Certificates</h3>
                <ul class="cert-list">
                  {d.certificates.map((c) => (
                    <li key={c.certificateId}>
                      <span class="mono small" title={c.certificateId}>
                        {c.certificateId.slice(0, 12)}…
                      </span>
                      <span class={`badge ${c.status === 'ACTIVE' ? 'badge-ok' : 'badge-idle'}`}>{c.status}</span>
                      <span class="muted small">until {absoluteTime(c.notAfter)}</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
          <EventsPanel thingName={d.thingName} />
        </div>
      </div>
    </div>
  );
}

/**
 * A device that provisioned itself by claim with a template that needs approval: it is connected but may do nothing
 * until a technician checks it is the one they mounted and approves it.
 */
function ApproveDevice({ thingName, onApproved }: { thingName: string; onApproved: () => void }) {
  const [busy, setBusy] = useState(false);
  const approve = async () => {
    setBusy(true);
    try {
      await api.post(`/api/devices/${enc(thingName)}/approve`);
      toast('success', `${thingName} approved: it can report and take commands now.`);
      onApproved();
    } catch (err) {
      toast('error', describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="approve-banner" data-testid="approve-banner">
      <span>Provisioned by claim and waiting for approval: it may not report or take commands yet.</span>
      <button type="button" class="btn btn-primary" disabled={busy} onClick={approve} data-testid="approve-device">
        Approve device
      </button>
    </div>
  );
}
