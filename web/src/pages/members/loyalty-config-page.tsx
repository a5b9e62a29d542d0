import { useEffect, useState } from 'preact/hooks';
import { api, describeError } from '../../api/api-client.ts';
import type { EarnRule, Me, RedemptionPolicy, Tier } from '../../api/types.ts';
import { json, money } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { Loading, PageHeader } from '../../components/page-state.tsx';

type Setting = 'tiers' | 'earn-rules' | 'redemption-policy';

/**
 * The loyalty settings: tiers, earn rules and the redemption policy, each shown as a table and edited (members:write,
 * HQ) as the JSON the API takes; the server checks it and answers each problem.
 */
export function LoyaltyConfigPage({ me }: { me: Me }) {
  const tiers = useResource(() => api.get<Tier[]>('/api/loyalty/tiers'), []);
  const rules = useResource(() => api.get<EarnRule[]>('/api/loyalty/earn-rules'), []);
  const policy = useResource(() => api.get<RedemptionPolicy>('/api/loyalty/redemption-policy'), []);
  const write = can(me, 'members:write');
  if (!tiers.data || !rules.data || !policy.data) return <Loading />;
  const p = policy.data;
  return (
    <div class="page commerce" data-testid="loyalty-config-page">
      <nav class="breadcrumbs">
        <a href="/members">Members</a>
        <span aria-hidden="true">/</span>
        <span>Loyalty settings</span>
      </nav>
      <PageHeader title="Loyalty settings" subtitle="Tiers, how points are earned, what they are worth" />
      <section class="panel">
        <h2 class="panel-title">Tiers</h2>
        <table class="table compact" data-testid="tiers-table">
          <tbody>
            {tiers.data.map((t) => (
              <tr key={t.id}>
                <td class="mono">{t.id}</td>
                <td>
                  {t.name.en} <span class="muted">{t.name.zh}</span>
                </td>
                <td class="num">earns ×{(t.earnMultiplierPercent / 100).toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {write ? <JsonEditor setting="tiers" value={tiers.data} onSaved={tiers.reload} /> : null}
      </section>
      <section class="panel">
        <h2 class="panel-title">Earn rules</h2>
        <table class="table compact" data-testid="earn-rules-table">
          <tbody>
            {rules.data.map((r) => (
              <tr key={r.id}>
                <td class="mono">{r.id}</td>
                <td>{r.name.en}</td>
                <td>{r.kind}</td>
                <td class="small">
                  {r.kind === 'base'
                    ? `${r.pointsPerStep ?? 0} pt per ${money(r.spendFenPerStep ?? 0)}`
                    : `+${r.bonusPercent ?? 0}%`}
                </td>
                <td class="small">{r.window ? `${r.window.from} → ${r.window.to}` : 'always'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {write ? <JsonEditor setting="earn-rules" value={rules.data} onSaved={rules.reload} /> : null}
      </section>
      <section class="panel">
        <h2 class="panel-title">Redemption policy</h2>
        <dl class="kv" data-testid="redemption-policy">
          <dt>100 points are worth</dt>
          <dd>{money(p.fenPer100Points)}</dd>
          <dt>At most</dt>
          <dd>{p.maxPercentOfTotal}% of an order</dd>
          <dt>Redeemed in steps of</dt>
          <dd>{p.minPoints} points</dd>
          <dt>Per store per day</dt>
          <dd>{p.perStoreDailyLimitPoints ?? 'no limit'}</dd>
        </dl>
        {write ? <JsonEditor setting="redemption-policy" value={p} onSaved={policy.reload} /> : null}
      </section>
    </div>
  );
}

function JsonEditor({ setting, value, onSaved }: { setting: Setting; value: unknown; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(json(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(json(value)), [value]);
  if (!open)
    return (
      <button type="button" class="btn btn-small" onClick={() => setOpen(true)} data-testid={`edit-${setting}`}>
        Edit
      </button>
    );
  async function save() {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      setError('Not valid JSON.');
      return;
    }
    try {
      await api.put(`/api/loyalty/${setting}`, body);
      toast('success', 'Saved');
      setError(null);
      setOpen(false);
      onSaved();
    } catch (err) {
      setError(describeError(err));
    }
  }
  return (
    <div class="stack">
      <textarea
        class="mono json-editor"
        rows={12}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
      />
      {error ? <p class="form-error">{error}</p> : null}
      <div class="row-actions">
        <button type="button" class="btn" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="button" class="btn btn-primary" onClick={save}>
          Save
        </button>
      </div>
    </div>
  );
}
