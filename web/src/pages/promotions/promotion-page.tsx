import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Me, PromotionRecord } from '../../api/types.ts';
import { navigate } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { type FieldProblem, fieldProblems, ProblemList } from './problem-list.tsx';
import { draftOf, type PromotionDraft, promotionOf } from './promotion-draft.ts';
import { PromotionForm } from './promotion-form.tsx';
import { canEdit } from './promotions-page.tsx';

/** Create, view or edit a promotion; the server's PROMOTION_INVALID problems are shown at their fields. */
export function PromotionPage({ me, id }: { me: Me; id: string | null }) {
  const record = useResource(
    () => (id ? api.get<PromotionRecord>(`/api/promotions/${enc(id)}`) : Promise.resolve(null)),
    [id],
  );
  const [draft, setDraft] = useState<PromotionDraft | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<{ code: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (record.data !== undefined)
      setDraft(draftOf(record.data?.promotion ?? null, new Date().toISOString().slice(0, 10)));
  }, [record.data]);

  if (record.error && !record.data) return <ErrorState error={record.error} onRetry={record.reload} />;
  if (!draft) return <Loading />;
  const editable = record.data ? canEdit(me, record.data) : can(me, 'promotions:write');

  async function save() {
    if (!draft) return;
    setBusy(true);
    setError(null);
    setProblems([]);
    const promotion = promotionOf(draft);
    try {
      const saved = await api.put<PromotionRecord>(`/api/promotions/${enc(promotion.id || '-')}`, promotion);
      toast('success', `Saved ${saved.promotion.id}`);
      if (!id) navigate(`/promotions/${enc(saved.promotion.id)}`);
      else record.mutate(() => saved);
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', text: describeError(err) });
      if (err instanceof ApiError) setProblems(fieldProblems(err.details));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="page commerce" data-testid="promotion-page">
      <nav class="breadcrumbs">
        <a href="/promotions">Promotions</a>
        <span aria-hidden="true">/</span>
        <span>{id ?? 'New'}</span>
      </nav>
      <PageHeader
        title={record.data ? record.data.promotion.name.en : 'New promotion'}
        subtitle={
          record.data
            ? `${record.data.owner === 'chain' ? 'Chain' : 'Store'} promotion · changed by ${record.data.updatedBy}`
            : undefined
        }
      />
      <section class="panel">
        <PromotionForm me={me} draft={draft} onChange={setDraft} problems={problems} readOnly={!editable} isNew={!id} />
        {error ? (
          <p class="form-error" data-testid="promotion-error" data-code={error.code}>
            {error.text}
          </p>
        ) : null}
        <ProblemList details={problems} />
        {editable ? (
          <div class="row-actions">
            <button type="button" class="btn btn-primary" onClick={save} disabled={busy} data-testid="promotion-save">
              Save promotion
            </button>
          </div>
        ) : (
          <p class="muted">
            Read-only:{' '}
            {can(me, 'promotions:write') ? 'another owner’s promotion.' : 'your role cannot change promotions.'}
          </p>
        )}
      </section>
    </div>
  );
}
