import type { PricedLine } from '../../../protocol/commerce/basket.ts';
import type { CartScreenState, ScreenLine } from '../../../protocol/commerce/cart-screen.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { ActionButton } from './action-button.tsx';
import { formatGrams, localized, useScreen } from './screen-context.ts';

/** The basket's lines: name, how much, price, each saving with the promotion that made it. */
export function BasketLines({ state }: { state: CartScreenState }) {
  const { t } = useScreen();
  const priced = new Map((state.priced?.lines ?? []).map((l) => [l.lineId, l]));
  if (state.lines.length === 0) {
    return (
      <p class="cs-empty" data-testid="cs-basket-empty">
        {t('basketEmpty')}
      </p>
    );
  }
  return (
    <ul class="cs-lines" data-testid="cs-lines">
      {state.lines.map((line) => (
        <BasketLineRow key={line.lineId} line={line} priced={priced.get(line.lineId)} names={state.promotionNames} />
      ))}
    </ul>
  );
}

function BasketLineRow({
  line,
  priced,
  names,
}: {
  line: ScreenLine;
  priced: PricedLine | undefined;
  names: CartScreenState['promotionNames'];
}) {
  const { t, locale } = useScreen();
  const waiting = line.confirmedQuantity < line.quantity;
  const amount = line.soldBy === 'weight' && line.weightG !== null ? formatGrams(line.weightG) : `× ${line.quantity}`;
  const unit = priced
    ? t(line.soldBy === 'weight' ? 'perKg' : 'each', { price: formatYuan(priced.unitPriceFen) })
    : null;
  return (
    <li class={`cs-line${waiting ? ' cs-line-waiting' : ''}`} data-testid="cs-line" data-line={line.lineId}>
      <div class="cs-line-main">
        <span class="cs-line-name" data-testid="cs-line-name">
          {localized(line.name, locale)}
          {line.minAge !== null && <span class="cs-age-badge">{line.minAge}+</span>}
        </span>
        <span class="cs-line-amount" data-testid="cs-line-amount">
          {amount}
        </span>
        <span class="cs-line-price" data-testid="cs-line-price">
          {priced ? formatYuan(priced.netFen) : '—'}
        </span>
      </div>
      <div class="cs-line-sub">
        {unit && <span class="cs-muted">{unit}</span>}
        {priced && priced.discounts.length > 0 && priced.grossFen !== priced.netFen && (
          <s class="cs-muted">{formatYuan(priced.grossFen)}</s>
        )}
        {waiting && (
          <span class="cs-waiting" data-testid="cs-line-waiting">
            {t('waitingScale')}
          </span>
        )}
        <ActionButton action={{ type: 'remove', lineId: line.lineId }} kind="quiet" testId="cs-line-remove">
          {t('remove')}
        </ActionButton>
      </div>
      {priced?.discounts.map((d) => (
        <div class="cs-saving" data-testid="cs-line-saving" key={d.promotionId}>
          <span>{localized(names[d.promotionId], locale) || d.promotionId}</span>
          <span>-{formatYuan(d.amountFen)}</span>
        </div>
      ))}
    </li>
  );
}
