import type { BroadcastInsert } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { ENTRY_LABELS } from './campaign-labels.ts';
import { zoned } from './zoned-day.ts';

/** A store's inserts with when (store time), how, who, and each speaker's delivery; cancel while one is still live. */
export function InsertsTable({
  inserts,
  timeZone,
  onCancel,
}: {
  inserts: BroadcastInsert[];
  timeZone: string;
  onCancel?: (insert: BroadcastInsert) => void;
}) {
  return (
    <table class="table" data-testid="inserts-table">
      <thead>
        <tr>
          <th>Announcement</th>
          <th>At</th>
          <th>Speakers</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {inserts.map((i) => {
          const live = i.cancelledAt === null && i.expiresAt > Date.now();
          return (
            <tr key={i.id} data-testid="insert-row" data-id={i.id}>
              <td>
                <strong>{i.title}</strong>
                <div class="muted small">
                  {ENTRY_LABELS[i.entry]} · by {i.createdBy}
                  {i.cancelledBy ? ` · cancelled by ${i.cancelledBy}` : ''}
                </div>
              </td>
              <td class="small" title={absoluteTime(i.at)}>
                {(({ day, hhmm }) => `${day} ${hhmm}`)(zoned(i.at, timeZone))}
              </td>
              <td class="small">
                {i.deliveries.map((d) => (
                  <span
                    key={d.thingName}
                    class={`badge ${d.state === 'handled' ? 'badge-ok' : d.state === 'offline' ? 'badge-idle' : 'badge-warn'}`}
                    title={d.state}
                    data-testid="insert-delivery"
                    data-thing={d.thingName}
                    data-state={d.state}
                  >
                    {d.thingName}
                  </span>
                ))}
              </td>
              <td>
                {live && onCancel ? (
                  <button type="button" class="btn btn-small btn-danger-ghost" onClick={() => onCancel(i)}>
                    Cancel
                  </button>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
