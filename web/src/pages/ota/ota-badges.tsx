import type { RolloutDeviceStatus, RolloutState } from '../../api/types.ts';
import { Badge } from '../../components/status.tsx';
import { DEVICE_STATUS_LABELS, DEVICE_STATUS_TONES, ROLLOUT_STATE_LABELS, ROLLOUT_STATE_TONES } from './ota-labels.ts';
import { type RolloutCounts, segmentsOf } from './rollout-live.ts';

export function RolloutStateBadge({ state }: { state: RolloutState }) {
  return (
    <Badge tone={ROLLOUT_STATE_TONES[state]} testId="rollout-state">
      {ROLLOUT_STATE_LABELS[state]}
    </Badge>
  );
}

export function DeviceStatusBadge({ status }: { status: RolloutDeviceStatus }) {
  return (
    <Badge tone={DEVICE_STATUS_TONES[status]} testId="device-status">
      {DEVICE_STATUS_LABELS[status]}
    </Badge>
  );
}

export function SignatureBadge({ ok }: { ok: boolean }) {
  return (
    <Badge tone={ok ? 'ok' : 'bad'} testId="signature-ok">
      {ok ? 'Signed' : 'Signature not OK'}
    </Badge>
  );
}

/**
 * Counts as one stacked bar (succeeded, failed, in progress, queued, pending, canceled) with a legend (every
 * segment, only those with devices, or none); the root carries each count as `data-<segment>` for the tests.
 */
export function ProgressBar({
  counts,
  testId,
  legend = 'all',
}: {
  counts: RolloutCounts;
  testId?: string;
  legend?: 'all' | 'nonzero' | false;
}) {
  const segments = segmentsOf(counts);
  const total = Math.max(1, counts.total);
  const data = Object.fromEntries(segments.map((s) => [`data-${s.key.toLowerCase()}`, s.value]));
  return (
    <div class="ota-progress" data-testid={testId} data-total={counts.total} {...data}>
      <div class="ota-bar" role="img" aria-label={segments.map((s) => `${s.label} ${s.value}`).join(', ')}>
        {segments.map((s) =>
          s.value > 0 ? (
            <span
              key={s.key}
              class={`ota-seg tone-bg-${s.tone}`}
              style={{ width: `${(s.value * 100) / total}%` }}
              title={`${s.label}: ${s.value}`}
            />
          ) : null,
        )}
      </div>
      {legend ? (
        <div class="legend">
          {segments
            .filter((s) => legend === 'all' || s.value > 0)
            .map((s) => (
              <span key={s.key} class={s.value ? '' : 'muted'}>
                <span class={`dot dot-${s.tone}`} />
                {s.label} <strong class="tabular">{s.value}</strong>
              </span>
            ))}
        </div>
      ) : null}
    </div>
  );
}
