import type { CampaignBody } from '../../../../protocol/api/broadcast-schedule.ts';
import { type CampaignDraft, DEFAULT_PROMO } from './campaign-draft.ts';
import { ProductPicker } from './product-picker.tsx';

/** A presence promo's settings: the product, its window after each occurrence, cooldown, cap, battery floor, level. */
export function PromoFields({ draft, set }: { draft: CampaignDraft; set: (patch: Partial<CampaignBody>) => void }) {
  const promo = { ...DEFAULT_PROMO, ...draft.body.promo };
  const field = (key: Exclude<keyof typeof DEFAULT_PROMO, 'productId'>, label: string, scale = 1) => (
    <label class="field">
      <span>{label}</span>
      <input
        type="number"
        value={promo[key] / scale}
        onInput={(e) =>
          set({ promo: { ...promo, [key]: Number((e.currentTarget as HTMLInputElement).value) * scale } })
        }
      />
    </label>
  );
  return (
    <div class="form-grid" data-testid="campaign-promo">
      <div class="field">
        <span>Product promoted</span>
        <ProductPicker
          value={promo.productId}
          onPick={(_p, sku) => set({ promo: { ...promo, productId: sku } })}
          testId="campaign-product"
        />
      </div>
      {field('windowMinutes', 'Window after each occurrence (minutes)')}
      {field('cooldownMs', 'Cooldown after a play (seconds)', 1000)}
      {field('maxPerHour', 'Plays per hour at most')}
      {field('minBatteryPercent', 'Silent under battery (%)')}
      {field('targetSplDb', 'Level at the shopper (dB SPL)')}
      {field('maxSplDb', 'Highest level over noise (dB SPL)')}
    </div>
  );
}
