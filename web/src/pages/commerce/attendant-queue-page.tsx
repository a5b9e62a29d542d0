import { useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { AttendantRequest, Me } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { storeName, useStores, zoneName } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource, useTick } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { REASON_LABELS } from './commerce-badges.tsx';
import { StaffCodeDialog } from './staff-code-dialog.tsx';
import { StoreSelect } from './store-select.tsx';

/**
 * The open attendant requests of the user's stores, oldest first, live from `attendant-request`: a cart's call appears
 * at once and leaves when someone resolves it (here, on the cart with a staff code) or the cart withdraws it.
 */
export function AttendantQueuePage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const now = useTick(5_000);
  const storeId = query.get('storeId') ?? '';
  const [staffCode, setStaffCode] = useState(false);
  const queue = useResource(
    () =>
      api.get<{ items: AttendantRequest[]; total: number }>('/api/attendants/requests', {
        storeId,
        state: 'open',
        limit: 200,
      }),
    [storeId],
  );
  useReconnect(queue.reload);
  useLiveEvent('attendant-request', (r) => {
    if (storeId && r.storeId !== storeId) return;
    queue.mutate((q) => {
      if (!q) return q;
      const rest = q.items.filter((x) => x.id !== r.id);
      if (r.state !== 'open') return { items: rest, total: rest.length };
      const items = [...rest, r].sort((a, b) => a.createdAt - b.createdAt);
      return { items, total: items.length };
    });
  });

  const manage = can(me, 'attendants:manage');

  async function resolve(request: AttendantRequest, decision: 'approve' | 'reject') {
    try {
      await api.post(`/api/attendants/requests/${enc(request.id)}/resolve`, { decision });
      toast('success', `${decision === 'approve' ? 'Approved' : 'Rejected'}: ${request.thingName}`);
    } catch (err) {
      toast('error', describeError(err));
      queue.reload();
    }
  }

  return (
    <div class="page commerce" data-testid="attendant-queue-page">
      <PageHeader
        title="Attendant queue"
        subtitle={queue.data ? `${queue.data.total} open · live` : ' '}
        actions={
          manage ? (
            <button type="button" class="btn" onClick={() => setStaffCode(true)} data-testid="staff-code-open">
              My staff code
            </button>
          ) : null
        }
      />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId} onChange={(v) => setQuery({ storeId: v })} />
      </section>
      {queue.error && !queue.data ? (
        <ErrorState error={queue.error} onRetry={queue.reload} />
      ) : !queue.data ? (
        <Loading />
      ) : queue.data.items.length === 0 ? (
        <Empty>Nobody is waiting.</Empty>
      ) : (
        <div class="request-grid" data-testid="attendant-requests">
          {queue.data.items.map((r) => (
            <article
              key={r.id}
              class={`panel request request-${r.reason}`}
              data-testid="attendant-request"
              data-request={r.id}
              data-thing={r.thingName}
            >
              <header class="request-head">
                <strong>{REASON_LABELS[r.reason]}</strong>
                <span class="badge badge-warn" title="Waiting">
                  {relativeTime(r.createdAt, now).replace(' ago', '')}
                </span>
              </header>
              <p class="mono">{r.thingName}</p>
              <p class="muted small">
                {storeName(stores, r.storeId)} · {zoneName(stores, r.zoneId)}
              </p>
              {r.details ? <p>{r.details}</p> : null}
              {r.orderId ? (
                <p>
                  Order{' '}
                  <a class="mono" href={`/orders/${r.orderId}`}>
                    {r.orderId}
                  </a>
                </p>
              ) : null}
              <div class="request-actions">
                {can(me, 'carts:screen') ? (
                  <a class="btn btn-small" href={`/devices/${enc(r.thingName)}/screen`} data-testid="request-screen">
                    Screen
                  </a>
                ) : null}
                {manage ? (
                  <>
                    <button
                      type="button"
                      class="btn btn-small btn-danger-ghost"
                      onClick={() => resolve(r, 'reject')}
                      data-testid="request-reject"
                    >
                      Reject
                    </button>
                    <button
                      type="button"
                      class="btn btn-small btn-primary"
                      onClick={() => resolve(r, 'approve')}
                      data-testid="request-approve"
                    >
                      Approve
                    </button>
                  </>
                ) : null}
              </div>
            </article>
          ))}
        </div>
      )}
      {staffCode ? <StaffCodeDialog onClose={() => setStaffCode(false)} /> : null}
    </div>
  );
}
