import { INSERT_SHADOW } from '../../../../protocol/broadcast/inserts.ts';
import { api, enc } from '../../api/api-client.ts';
import type { BroadcastEmergency, Me } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource, useThrottled } from '../../app/use-resource.ts';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { describeBroadcastError } from './broadcast-errors.ts';

/**
 * The store's emergency announcement while one plays (GET /api/stores/:storeId/broadcast/emergency), on every
 * Broadcast view. Follows the speakers' `broadcast-insert` shadows live (the emergency is in their desired state),
 * so a start or clear from another console shows here within a second.
 */
export function useEmergency(storeId: string | null) {
  const state = useResource(
    () =>
      storeId
        ? api.get<{ emergency: BroadcastEmergency | null }>(`/api/stores/${enc(storeId)}/broadcast/emergency`)
        : Promise.resolve({ emergency: null }),
    [storeId],
  );
  const reload = useThrottled(state.reload, 300);
  useLiveEvent('shadow', (e) => {
    if (e.shadowName === INSERT_SHADOW && e.storeId === storeId) reload();
  });
  useReconnect(state.reload);
  return { emergency: state.data?.emergency ?? null, reload: state.reload };
}

export function EmergencyBanner({ me, storeId }: { me: Me; storeId: string | null }) {
  const { emergency, reload } = useEmergency(storeId);
  if (!emergency || !storeId) return null;
  const clear = async () => {
    if (!window.confirm(`Clear the emergency announcement “${emergency.title}”? Speakers go back to their programme.`))
      return;
    try {
      await api.delete(`/api/stores/${enc(storeId)}/broadcast/emergency`);
      toast('success', 'Emergency cleared.');
      reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    }
  };
  const reached = emergency.deliveries.filter((d) => d.state === 'handled').length;
  return (
    <div class="emergency-banner" role="alert" data-testid="emergency-banner">
      <strong>Emergency announcement playing</strong>
      <span>
        “{emergency.title}”, repeating since {relativeTime(emergency.startedAt)} · started by {emergency.startedBy} ·{' '}
        {reached}/{emergency.deliveries.length} speakers playing it
      </span>
      {can(me, 'broadcast:insert') ? (
        <button type="button" class="btn btn-small" onClick={clear} data-testid="emergency-clear">
          Clear emergency
        </button>
      ) : null}
    </div>
  );
}
