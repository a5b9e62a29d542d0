import { useState } from 'preact/hooks';
import { api, enc } from '../../api/api-client.ts';
import type { LedgerPage, Me, MemberDetail } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { Pager } from '../../components/pager.tsx';
import { FamilyPanel } from './family-panel.tsx';
import { AdjustPointsDialog, IssueCouponDialog } from './member-actions.tsx';
import { MemberAppLinkDialog } from './member-app-link-dialog.tsx';

const LEDGER_PAGE = 25;

/** A member: tier, family, the pool's balance, the ledger (each entry names the member who made it), coupons. */
export function MemberPage({ me, id }: { me: Me; id: string }) {
  const detail = useResource(() => api.get<MemberDetail>(`/api/members/${enc(id)}`), [id]);
  const [offset, setOffset] = useState(0);
  const ledger = useResource(
    () => api.get<LedgerPage>(`/api/members/${enc(id)}/ledger`, { limit: LEDGER_PAGE, offset }),
    [id, offset],
  );
  const [dialog, setDialog] = useState<'adjust' | 'coupon' | 'app-link' | null>(null);
  if (detail.error && !detail.data) return <ErrorState error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return <Loading />;
  const { member, family, balancePoints, coupons } = detail.data;
  const done = () => {
    setDialog(null);
    detail.reload();
    ledger.reload();
  };
  return (
    <div class="page commerce" data-testid="member-page">
      <nav class="breadcrumbs">
        <a href="/members">Members</a>
        <span aria-hidden="true">/</span>
        <span>{member.memberNumber}</span>
      </nav>
      <PageHeader
        title={member.displayName}
        subtitle={`No. ${member.memberNumber} · tier ${member.tierId}${member.disabled ? ' · disabled' : ''}`}
        actions={
          <>
            {can(me, 'points:adjust') ? (
              <button type="button" class="btn" onClick={() => setDialog('adjust')} data-testid="adjust-points">
                Adjust points
              </button>
            ) : null}
            {can(me, 'coupons:issue') ? (
              <button type="button" class="btn" onClick={() => setDialog('coupon')} data-testid="issue-coupon">
                Issue coupon
              </button>
            ) : null}
            {can(me, 'members:write') && !member.disabled ? (
              <button
                type="button"
                class="btn"
                onClick={() => setDialog('app-link')}
                data-testid="member-app-link"
                title="A single-use link for the member's phone: they choose a PIN and see their member code"
              >
                Member app link
              </button>
            ) : null}
          </>
        }
      />
      <div class="grid-2">
        <section class="panel">
          <h2 class="panel-title">Points</h2>
          <p class="big-number tabular" data-testid="member-balance">
            {balancePoints}
          </p>
          <p class="muted">{family ? 'Shared by the family pool' : 'Own pool'}</p>
        </section>
        <FamilyPanel
          member={member}
          family={family}
          canWrite={can(me, 'members:write')}
          onChanged={() => {
            detail.reload();
            ledger.reload();
          }}
        />
      </div>
      <section class="panel panel-flush">
        <h2 class="panel-title pad-top">Ledger</h2>
        <table class="table compact" data-testid="member-ledger">
          <thead>
            <tr>
              <th>When</th>
              <th>Member</th>
              <th>Kind</th>
              <th class="num">Points</th>
              <th>Order</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {(ledger.data?.items ?? []).map((e) => (
              <tr key={e.id} data-testid="ledger-entry">
                <td class="nowrap">{absoluteTime(e.createdAt)}</td>
                <td>{e.memberName}</td>
                <td>{e.kind}</td>
                <td class="num tabular">{e.points > 0 ? `+${e.points}` : e.points}</td>
                <td class="mono small">{e.orderId ? <a href={`/orders/${e.orderId}`}>{e.orderId}</a> : '—'}</td>
                <td class="wrap">{e.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {ledger.data ? (
          <Pager total={ledger.data.total} limit={LEDGER_PAGE} offset={offset} onChange={setOffset} />
        ) : null}
      </section>
      <section class="panel">
        <h2 class="panel-title">Coupons</h2>
        {coupons.length ? (
          <table class="table compact" data-testid="member-coupons">
            <tbody>
              {coupons.map((c) => (
                <tr key={c.id} data-testid="member-coupon" data-coupon={c.id} data-state={c.state}>
                  <td class="mono">{c.id}</td>
                  <td>{c.promotionId}</td>
                  <td>{c.state}</td>
                  <td class="small">
                    {absoluteTime(c.validFrom)} → {absoluteTime(c.validTo)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No coupons.</p>
        )}
      </section>
      {dialog === 'adjust' ? (
        <AdjustPointsDialog member={member} onClose={() => setDialog(null)} onDone={done} />
      ) : null}
      {dialog === 'coupon' ? <IssueCouponDialog member={member} onClose={() => setDialog(null)} onDone={done} /> : null}
      {dialog === 'app-link' ? <MemberAppLinkDialog member={member} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}
