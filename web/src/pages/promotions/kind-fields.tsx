import type { PromotionKind } from '../../api/types.ts';
import { FieldError, type FieldProblem } from './problem-list.tsx';

/** The fields of one kind as text (yuan for money), turned into the contract's numbers on save. */
export type KindDraft = Record<string, string | boolean>;

const FIELDS: Record<PromotionKind, { key: string; label: string; money?: boolean; check?: boolean }[]> = {
  percent_off: [{ key: 'percentOff', label: 'Percent off (1–100)' }],
  amount_off: [{ key: 'amountOffFen', label: 'Amount off (¥ per item)', money: true }],
  multi_buy: [
    { key: 'quantity', label: 'Quantity' },
    { key: 'priceFen', label: 'For (¥)', money: true },
  ],
  buy_x_get_y: [
    { key: 'buy', label: 'Buy' },
    { key: 'get', label: 'Get' },
    { key: 'getPercentOff', label: 'At percent off (100 = free)' },
  ],
  spend_threshold: [
    { key: 'minSpendFen', label: 'Spend at least (¥)', money: true },
    { key: 'amountOffFen', label: 'Amount off (¥)', money: true },
    { key: 'repeat', label: 'Repeat for each threshold reached', check: true },
  ],
  member_price: [{ key: 'priceFen', label: 'Member price (¥)', money: true }],
};

export function kindFields(kind: PromotionKind) {
  return FIELDS[kind];
}

export function KindFields({
  kind,
  draft,
  onChange,
  problems,
  readOnly,
}: {
  kind: PromotionKind;
  draft: KindDraft;
  onChange: (draft: KindDraft) => void;
  problems: FieldProblem[];
  readOnly: boolean;
}) {
  return (
    <div class="form-grid" data-testid={`kind-fields-${kind}`}>
      {FIELDS[kind].map((f) =>
        f.check ? (
          <label class="check" key={f.key}>
            <input
              type="checkbox"
              checked={Boolean(draft[f.key])}
              disabled={readOnly}
              onChange={(e) => onChange({ ...draft, [f.key]: (e.currentTarget as HTMLInputElement).checked })}
            />
            {f.label}
          </label>
        ) : (
          <label class="field" key={f.key}>
            <span>{f.label}</span>
            <input
              value={String(draft[f.key] ?? '')}
              disabled={readOnly}
              inputMode={f.money ? 'decimal' : 'numeric'}
              onInput={(e) => onChange({ ...draft, [f.key]: (e.currentTarget as HTMLInputElement).value })}
              data-testid={`promotion-${f.key}`}
            />
            <FieldError problems={problems} field={f.key} />
          </label>
        ),
      )}
    </div>
  );
}
