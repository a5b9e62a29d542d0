import { useState } from 'preact/hooks';
import { api } from '../../api/api-client.ts';
import type { Me, MemberPage } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { Icon } from '../../components/icons.tsx';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { NewMemberDialog } from './new-member-dialog.tsx';

const PAGE_SIZE = 50;

/** Members by number, name or phone (answered masked). */
export function MembersPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const offset = queryOffset(query);
  const [enrolling, setEnrolling] = useState(false);
  const list = useResource(() => api.get<MemberPage>('/api/members', { q, limit: PAGE_SIZE, offset }), [q, offset]);
  return (
    <div class="page commerce" data-testid="members-page">
      <PageHeader
        title="Members"
        subtitle={list.data ? `${list.data.total} member${list.data.total === 1 ? '' : 's'}` : ' '}
        actions={
          can(me, 'members:write') ? (
            <>
              <a class="btn" href="/members/loyalty" data-testid="loyalty-config-link">
                Loyalty settings
              </a>
              <button
                type="button"
                class="btn btn-primary"
                onClick={() => setEnrolling(true)}
                data-testid="member-create"
              >
                Enrol member
              </button>
            </>
          ) : (
            <a class="btn btn-ghost" href="/members/loyalty">
              Loyalty settings
            </a>
          )
        }
      />
      <section class="filters">
        <label class="search">
          <Icon name="search" size={16} />
          <input
            type="search"
            placeholder="Member number, name or phone"
            value={q}
            onChange={(e) => setQuery({ q: (e.currentTarget as HTMLInputElement).value.trim(), offset: null })}
            aria-label="Search members"
            data-testid="members-search"
          />
        </label>
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No member matches.">
          {(items) => (
            <table class="table" data-testid="members-table">
              <thead>
                <tr>
                  <th>Member</th>
                  <th>Number</th>
                  <th>Phone</th>
                  <th>Tier</th>
                  <th>Family</th>
                  <th>Since</th>
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <tr key={m.id} data-testid="member-row" data-member={m.id} class={m.disabled ? 'row-disabled' : ''}>
                    <td>
                      <a class="strong" href={`/members/${encodeURIComponent(m.id)}`}>
                        {m.displayName}
                      </a>
                    </td>
                    <td class="mono">{m.memberNumber}</td>
                    <td class="mono">{m.phoneMasked ?? '—'}</td>
                    <td>{m.tierId}</td>
                    <td>{m.familyId ? 'yes' : '—'}</td>
                    <td class="muted">{relativeTime(m.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
      {enrolling ? <NewMemberDialog onClose={() => setEnrolling(false)} /> : null}
    </div>
  );
}
