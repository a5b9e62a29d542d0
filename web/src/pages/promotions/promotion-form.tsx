import { PROMOTION_KINDS } from '../../../../protocol/commerce/promotions.ts';
import type { Me, PromotionKind } from '../../api/types.ts';
import { useStores } from '../../app/stores-cache.ts';
import { KindFields } from './kind-fields.tsx';
import { FieldError, type FieldProblem } from './problem-list.tsx';
import type { PromotionDraft } from './promotion-draft.ts';
import { KIND_LABELS, WEEKDAYS } from './promotion-text.ts';

/** The promotion editor's fields: common ones, the kind's own, the window, the scope, member and coupon gates. */
export function PromotionForm({
  me,
  draft: d,
  onChange,
  problems,
  readOnly,
  isNew,
}: {
  me: Me;
  draft: PromotionDraft;
  onChange: (d: PromotionDraft) => void;
  problems: FieldProblem[];
  readOnly: boolean;
  isNew: boolean;
}) {
  const stores = useStores();
  const text = (key: keyof PromotionDraft) => ({
    value: d[key] as string,
    disabled: readOnly,
    onInput: (e: Event) => onChange({ ...d, [key]: (e.currentTarget as HTMLInputElement).value }),
  });
  const flag = (key: 'memberOnly' | 'couponRequired') => ({
    checked: d[key],
    disabled: readOnly,
    onChange: (e: Event) => onChange({ ...d, [key]: (e.currentTarget as HTMLInputElement).checked }),
  });
  return (
    <div class="stack" data-testid="promotion-form">
      <div class="form-grid">
        <label class="field">
          <span>Id</span>
          <input {...text('id')} disabled={readOnly || !isNew} class="mono" data-testid="promotion-id" />
          <FieldError problems={problems} field="id" />
        </label>
        <label class="field">
          <span>Kind</span>
          <select
            value={d.kind}
            disabled={readOnly}
            onChange={(e) =>
              onChange({ ...d, kind: (e.currentTarget as HTMLSelectElement).value as PromotionKind, kindValues: {} })
            }
            data-testid="promotion-kind"
          >
            {PROMOTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Name (中文)</span>
          <input {...text('nameZh')} data-testid="promotion-name-zh" />
          <FieldError problems={problems} field="name.zh" />
        </label>
        <label class="field">
          <span>Name (English)</span>
          <input {...text('nameEn')} data-testid="promotion-name-en" />
          <FieldError problems={problems} field="name.en" />
        </label>
      </div>
      <KindFields
        kind={d.kind}
        draft={d.kindValues}
        onChange={(kindValues) => onChange({ ...d, kindValues })}
        problems={problems}
        readOnly={readOnly}
      />
      <fieldset class="field">
        <legend>Applies to</legend>
        <div class="form-grid">
          <label class="field">
            <span>SKUs</span>
            <input {...text('skus')} class="mono" data-testid="promotion-skus" />
          </label>
          <label class="field">
            <span>Category ids</span>
            <input {...text('categoryIds')} class="mono" />
          </label>
        </div>
        <FieldError problems={problems} field="target" />
      </fieldset>
      <fieldset class="field">
        <legend>Window (in the store's time zone)</legend>
        <div class="form-grid">
          <label class="field">
            <span>From</span>
            <input type="date" {...text('from')} data-testid="promotion-from" />
          </label>
          <label class="field">
            <span>To</span>
            <input type="date" {...text('to')} data-testid="promotion-to" />
          </label>
        </div>
        <div class="weekdays">
          {WEEKDAYS.map((name, i) => (
            <label class="check" key={name}>
              <input
                type="checkbox"
                disabled={readOnly}
                checked={d.weekdays.includes(i + 1)}
                data-testid={`promotion-weekday-${i + 1}`}
                onChange={(e) =>
                  onChange({
                    ...d,
                    weekdays: (e.currentTarget as HTMLInputElement).checked
                      ? [...d.weekdays, i + 1]
                      : d.weekdays.filter((w) => w !== i + 1),
                  })
                }
              />
              {name}
            </label>
          ))}
        </div>
        <label class="field">
          <span>Hours (e.g. 08:00-11:00, 17:00-20:00; empty: all day)</span>
          <input {...text('hours')} data-testid="promotion-hours" />
        </label>
        <FieldError problems={problems} field="window" />
      </fieldset>
      <fieldset class="field">
        <legend>Stores (none: every store{me.storeIds === null ? '' : ' — only HQ may'})</legend>
        <div class="weekdays">
          {stores.map((s) => (
            <label class="check" key={s.id}>
              <input
                type="checkbox"
                disabled={readOnly}
                checked={d.storeIds.includes(s.id)}
                data-testid={`promotion-store-${s.id}`}
                onChange={(e) =>
                  onChange({
                    ...d,
                    storeIds: (e.currentTarget as HTMLInputElement).checked
                      ? [...d.storeIds, s.id]
                      : d.storeIds.filter((x) => x !== s.id),
                  })
                }
              />
              {s.name}
            </label>
          ))}
        </div>
        {me.storeIds === null ? (
          <label class="field">
            <span>Regions</span>
            <input {...text('regions')} />
          </label>
        ) : null}
        <FieldError problems={problems} field="scope" />
      </fieldset>
      <div class="form-grid">
        <label class="field">
          <span>Stacking</span>
          <select
            value={d.stacking}
            disabled={readOnly}
            onChange={(e) => onChange({ ...d, stacking: (e.currentTarget as HTMLSelectElement).value as 'exclusive' })}
            data-testid="promotion-stacking"
          >
            <option value="exclusive">Exclusive (the best one applies)</option>
            <option value="stackable">Stackable</option>
          </select>
        </label>
        <label class="field">
          <span>Priority (0–1000)</span>
          <input {...text('priority')} inputMode="numeric" data-testid="promotion-priority" />
          <FieldError problems={problems} field="priority" />
        </label>
        <label class="field">
          <span>Member tiers (ids; empty: all)</span>
          <input {...text('memberTiers')} class="mono" />
          <FieldError problems={problems} field="memberTiers" />
        </label>
      </div>
      <label class="check">
        <input type="checkbox" {...flag('memberOnly')} /> Members only
      </label>
      <label class="check">
        <input type="checkbox" {...flag('couponRequired')} data-testid="promotion-coupon" /> Needs a coupon
      </label>
    </div>
  );
}
