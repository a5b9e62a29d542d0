import type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { ActionButton, LocalButton } from './action-button.tsx';
import type { MessageKey } from './messages.ts';
import { useScreen } from './screen-context.ts';

/** Live totals, what checkout is waiting for, and the ways on: produce, coupons and points, checkout. */
export function BasketSummary({
  state,
  onCoupons,
  onStaff,
}: {
  state: CartScreenState;
  onCoupons: () => void;
  onStaff: () => void;
}) {
  const { t } = useScreen();
  const p = state.priced;
  const blocked = state.locks.length > 0 || state.lines.length === 0;
  const staffLock = state.locks.some((l) => l.kind === 'age-check' || l.kind === 'needs-attendant');
  return (
    <aside class="cs-summary" data-testid="cs-summary">
      <dl class="cs-totals">
        <div>
          <dt>{t('subtotal')}</dt>
          <dd data-testid="cs-subtotal">{formatYuan(p?.subtotalFen ?? 0)}</dd>
        </div>
        <div class="cs-savings">
          <dt>{t('savings')}</dt>
          <dd data-testid="cs-savings">-{formatYuan(p?.discountFen ?? 0)}</dd>
        </div>
        {p && p.points.redeemed > 0 && (
          <div class="cs-savings">
            <dt>{t('pointsRedeemed', { points: p.points.redeemed })}</dt>
            <dd data-testid="cs-points-value">-{formatYuan(p.points.redeemedValueFen)}</dd>
          </div>
        )}
        <div class="cs-total">
          <dt>{t('total')}</dt>
          <dd data-testid="cs-total">{formatYuan(p?.payableFen ?? 0)}</dd>
        </div>
        {state.member && (
          <div class="cs-earn">
            <dt>{t('pointsToEarn')}</dt>
            <dd data-testid="cs-points-earn">+{p?.points.earned ?? 0}</dd>
          </div>
        )}
      </dl>
      <div class="cs-summary-actions">
        <ActionButton action={{ type: 'search-produce', query: '' }} testId="cs-open-produce">
          {t('produceButton')}
        </ActionButton>
        {state.member && (
          <LocalButton onClick={onCoupons} testId="cs-open-coupons">
            {t('couponsButton')}
          </LocalButton>
        )}
      </div>
      {state.locks.length > 0 && (
        <div class="cs-blocked" data-testid="cs-blocked">
          <p>{t('checkoutBlocked')}</p>
          <ul>
            {state.locks.map((lock) => (
              <li key={lock.kind} data-testid="cs-lock" data-lock={lock.kind}>
                {t(LOCK_WORDS[lock.kind] ?? 'lockNeedsAttendant', { age: lock.minAge ?? 18 })}
              </li>
            ))}
          </ul>
          {staffLock && (
            <LocalButton onClick={onStaff} kind="quiet" testId="cs-open-staff">
              {t('staffButton')}
            </LocalButton>
          )}
        </div>
      )}
      <ActionButton action={{ type: 'checkout' }} kind="primary" disabled={blocked} testId="cs-checkout">
        {t('checkout')}
      </ActionButton>
    </aside>
  );
}

const LOCK_WORDS: Record<string, MessageKey> = {
  'age-check': 'lockAgeCheck',
  'needs-attendant': 'lockNeedsAttendant',
  'weight-prompt': 'lockWeightPrompt',
  'unconfirmed-lines': 'lockUnconfirmed',
};
