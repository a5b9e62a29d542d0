import type { Alert, Command, DeviceKind, DeviceSummary } from '../api/types.ts';
import { relativeTime } from '../app/format.ts';
import { Icon } from './icons.tsx';
import type { Tone } from './tone.ts';

export type { Tone };

const PRESENCE_TONE: Record<string, Tone> = { online: 'ok', offline: 'bad', never: 'idle' };
const PRESENCE_LABEL: Record<string, string> = { online: 'Online', offline: 'Offline', never: 'Never connected' };

export function Badge({ tone, children, testId }: { tone: Tone; children: preact.ComponentChildren; testId?: string }) {
  return (
    <span class={`badge badge-${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

export function PresenceBadge({ presence, showSince }: { presence: DeviceSummary['presence']; showSince?: boolean }) {
  const tone = PRESENCE_TONE[presence.state] ?? 'idle';
  return (
    <span
      class={`presence presence-${tone}`}
      data-testid="presence"
      data-state={presence.state}
      title={presence.disconnectReason ? `Disconnected: ${presence.disconnectReason}` : undefined}
    >
      <span class={`dot dot-${tone}`} />
      {PRESENCE_LABEL[presence.state] ?? presence.state}
      {showSince && presence.since ? <span class="muted"> · {relativeTime(presence.since)}</span> : null}
    </span>
  );
}

export function batteryTone(battery: number | null): Tone {
  if (battery === null) return 'idle';
  if (battery < 15) return 'bad';
  if (battery < 30) return 'warn';
  return 'ok';
}

export function BatteryGauge({ battery, charging }: { battery: number | null; charging: boolean | null }) {
  if (battery === null) return <span class="muted">—</span>;
  const tone = batteryTone(battery);
  return (
    <span class="battery" title={charging ? 'Charging' : undefined}>
      <span class="battery-bar">
        <span class={`battery-fill fill-${tone}`} style={{ width: `${Math.max(4, Math.min(100, battery))}%` }} />
      </span>
      <span class="tabular">{Math.round(battery)}%</span>
      {charging ? (
        <span class="charging" title="charging">
          ⚡
        </span>
      ) : null}
    </span>
  );
}

export function KindLabel({ kind }: { kind: DeviceKind | null }) {
  if (kind === null) return null;
  return (
    <span class="kind">
      <Icon name={kind === 'cart' ? 'cart' : 'speaker'} size={15} />
      {kind === 'cart' ? 'Cart' : 'Speaker'}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: Alert['severity'] }) {
  return (
    <Badge tone={severity === 'critical' ? 'bad' : 'warn'}>{severity === 'critical' ? 'Critical' : 'Warning'}</Badge>
  );
}

const ALERT_STATE_TONE: Record<Alert['state'], Tone> = { open: 'bad', acknowledged: 'warn', resolved: 'ok' };

export function AlertStateBadge({ state }: { state: Alert['state'] }) {
  return (
    <Badge tone={ALERT_STATE_TONE[state]} testId="alert-state">
      {state[0]!.toUpperCase() + state.slice(1)}
    </Badge>
  );
}

const COMMAND_TONE: Record<Command['status'], Tone> = {
  queued: 'idle',
  sent: 'info',
  succeeded: 'ok',
  failed: 'bad',
  'timed-out': 'bad',
  expired: 'warn',
};

export function CommandStatusBadge({ status }: { status: Command['status'] }) {
  return (
    <Badge tone={COMMAND_TONE[status] ?? 'idle'} testId="command-status">
      {status}
    </Badge>
  );
}
