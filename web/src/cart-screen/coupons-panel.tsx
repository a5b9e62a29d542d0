import { useState } from 'preact/hooks';
import type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { ActionButton, LocalButton } from './action-button.tsx';
import { localized, useScreen } from './screen-context.ts';

/** The member's coupons to apply or take off, and how many points to pay with (in steps, up to the cap). */
export function CouponsPanel({ state, onClose }: { state: CartScreenState; onClose: () => void }) {
  const { t, locale } = useScreen();
  const coupons = state.member?.coupons ?? [];
  const date = new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium' });
  return (
    <div class="cs-overlay" data-testid="cs-coupons">
      <div class="cs-card cs-coupons">
        <header class="cs-card-header">
          <h2>{t('couponsTitle')}</h2>
          <LocalButton onClick={onClose} kind="quiet" testId="cs-coupons-close">
            {t('close')}
          </LocalButton>
        </header>
        {coupons.length === 0 ? (
          <p class="cs-empty">{t('couponsNone')}</p>
        ) : (
          <ul class="cs-coupon-list">
            {coupons.map((c) => {
              const applied = state.couponIds.includes(c.id);
              return (
                <li key={c.id} class={applied ? 'cs-coupon cs-coupon-applied' : 'cs-coupon'} data-testid="cs-coupon">
                  <div>
                    <strong>{localized(state.promotionNames[c.promotionId], locale) || c.id}</strong>
                    <span class="cs-muted">
                      {c.minSpendFen > 0 && `${t('couponMinSpend', { amount: formatYuan(c.minSpendFen) })} · `}
                      {t('couponValidTo', { date: date.format(c.validTo) })}
                    </span>
                  </div>
                  {applied ? (
                    <ActionButton action={{ type: 'remove-coupon', couponId: c.id }} testId="cs-coupon-remove">
                      {t('couponRemove')}
                    </ActionButton>
                  ) : (
                    <ActionButton
                      action={{ type: 'apply-coupon', couponId: c.id }}
                      kind="primary"
                      disabled={c.state !== 'issued'}
                      testId="cs-coupon-apply"
                    >
                      {t('couponApply')}
                    </ActionButton>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        <PointsStepper state={state} />
      </div>
    </div>
  );
}

function PointsStepper({ state }: { state: CartScreenState }) {
  const { t, act } = useScreen();
  const max = state.maxRedeemablePoints;
  const step = Math.max(1, state.pointsStep);
  const [points, setPoints] = useState(Math.min(state.pointsToRedeem, max));
  const set = (value: number) => setPoints(Math.max(0, Math.min(max, Math.round(value / step) * step)));
  return (
    <section class="cs-points" data-testid="cs-points">
      <h3>{t('pointsTitle')}</h3>
      <p class="cs-muted">{max > 0 ? t('pointsAvailable', { points: max }) : t('pointsNone')}</p>
      {act && max > 0 && (
        <>
          <div class="cs-stepper">
            <button type="button" class="cs-btn cs-btn-secondary" onClick={() => set(points - step)} aria-label="-">
              −
            </button>
            <input
              type="range"
              min={0}
              max={max}
              step={step}
              value={points}
              data-testid="cs-points-slider"
              onInput={(e) => set(Number((e.target as HTMLInputElement).value))}
            />
            <button type="button" class="cs-btn cs-btn-secondary" onClick={() => set(points + step)} aria-label="+">
              +
            </button>
          </div>
          <ActionButton action={{ type: 'redeem-points', points }} kind="primary" testId="cs-points-apply">
            {t('pointsApply', { points })}
          </ActionButton>
        </>
      )}
    </section>
  );
}
