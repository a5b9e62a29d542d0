import type { PresenceCounts } from '../api/types.ts';

/** Online / offline / never-connected as one stacked bar with its legend. */
export function PresenceBar({ counts, compact }: { counts: PresenceCounts; compact?: boolean }) {
  const total = counts.online + counts.offline + counts.neverConnected;
  const pct = (n: number) => (total ? `${(n / total) * 100}%` : '0%');
  return (
    <div class={`presence-bar ${compact ? 'compact' : ''}`}>
      <div class="bar" role="img" aria-label={`${counts.online} online, ${counts.offline} offline`}>
        <span class="seg seg-ok" style={{ width: pct(counts.online) }} />
        <span class="seg seg-bad" style={{ width: pct(counts.offline) }} />
        <span class="seg seg-idle" style={{ width: pct(counts.neverConnected) }} />
      </div>
      {compact ? null : (
        <div class="legend">
          <span>
            <span class="dot dot-ok" /> {counts.online} online
          </span>
          <span>
            <span class="dot dot-bad" /> {counts.offline} offline
          </span>
          {counts.neverConnected ? (
            <span>
              <span class="dot dot-idle" /> {counts.neverConnected} never connected
            </span>
          ) : null}
        </div>
      )}
    </div>
  );
}
