import { useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Family, Member, MemberPage } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';

interface Problem {
  code: string;
  text: string;
}

/**
 * A member's family account: its members (the owner marked), and with members:write: make this member the owner
 * of a new family, add a member by number (their points move into the pool), remove one (not the owner).
 */
export function FamilyPanel({
  member,
  family,
  canWrite,
  onChanged,
}: {
  member: Member;
  family: Family | null;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const [number, setNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setProblem(null);
    try {
      toast('success', await action());
      onChanged();
    } catch (err) {
      setProblem({ code: err instanceof ApiError ? err.code : 'ERROR', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  }

  const create = () =>
    run(async () => {
      await api.post<Family>('/api/families', { ownerId: member.id });
      return `${member.displayName} now owns a family account`;
    });

  const add = (e: Event) => {
    e.preventDefault();
    const wanted = number.trim();
    return run(async () => {
      const found = await api.get<MemberPage>('/api/members', { q: wanted, limit: 5 });
      const match = found.items.find((m) => m.memberNumber === wanted);
      if (!match) throw new ApiError(404, 'MEMBER_NOT_FOUND', `No member has the number ${wanted}.`);
      await api.post<Family>(`/api/families/${enc(family!.id)}/members`, { memberId: match.id });
      setNumber('');
      return `${match.displayName} joined the family`;
    });
  };

  const remove = (memberId: string, name: string) =>
    run(async () => {
      await api.delete<Family>(`/api/families/${enc(family!.id)}/members/${enc(memberId)}`);
      return `${name} left the family; the shared points stay in its pool`;
    });

  return (
    <section class="panel" data-testid="family-panel">
      <h2 class="panel-title">Family</h2>
      {family ? (
        <ul class="plain-list" data-testid="family-members">
          {family.members.map((m) => (
            <li key={m.id} data-testid="family-member" data-member={m.id}>
              <a href={`/members/${enc(m.id)}`}>{m.displayName}</a> <span class="mono muted">{m.memberNumber}</span>
              {m.owner ? <span class="badge badge-info">Owner</span> : null}
              {canWrite && !m.owner ? (
                <button
                  type="button"
                  class="btn btn-ghost btn-small"
                  disabled={busy}
                  onClick={() => remove(m.id, m.displayName)}
                  data-testid="family-remove"
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Not in a family.</p>
      )}
      {canWrite && family ? (
        <form class="inline-form" onSubmit={add}>
          <input
            value={number}
            onInput={(e) => setNumber(e.currentTarget.value)}
            placeholder="Member number to add"
            inputMode="numeric"
            required
            class="mono"
            data-testid="family-add-number"
          />
          <button type="submit" class="btn" disabled={busy} data-testid="family-add">
            Add to family
          </button>
        </form>
      ) : null}
      {canWrite && !family ? (
        <button type="button" class="btn" disabled={busy} onClick={create} data-testid="family-create">
          Start a family account (owner)
        </button>
      ) : null}
      {problem ? (
        <p class="form-error" data-testid="family-error" data-code={problem.code}>
          {problem.text}
        </p>
      ) : null}
    </section>
  );
}
