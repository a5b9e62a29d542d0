import type { Promotion, PromotionKind } from '../../api/types.ts';
import { money } from '../../app/format.ts';

export const KIND_LABELS: Record<PromotionKind, string> = {
  percent_off: 'Percent off',
  amount_off: 'Amount off',
  multi_buy: 'Multi-buy',
  buy_x_get_y: 'Buy X get Y',
  spend_threshold: 'Spend threshold',
  member_price: 'Member price',
};

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** What the promotion gives, in a few words. */
export function benefit(p: Promotion): string {
  switch (p.kind) {
    case 'percent_off':
      return `${p.percentOff}% off`;
    case 'amount_off':
      return `${money(p.amountOffFen)} off`;
    case 'multi_buy':
      return `${p.quantity} for ${money(p.priceFen)}`;
    case 'buy_x_get_y':
      return `buy ${p.buy} get ${p.get} at ${p.getPercentOff}% off`;
    case 'spend_threshold':
      return `${money(p.amountOffFen)} off ${money(p.minSpendFen)}${p.repeat ? ', repeating' : ''}`;
    case 'member_price':
      return `members pay ${money(p.priceFen)}`;
  }
}

export function windowText(p: Promotion): string {
  const w = p.window;
  const days = w.weekdays?.length ? ` · ${w.weekdays.map((d) => WEEKDAYS[d - 1]).join(' ')}` : '';
  const hours = w.hours?.length ? ` · ${w.hours.map(([a, b]) => `${a}–${b}`).join(', ')}` : '';
  return `${w.from} → ${w.to}${days}${hours}`;
}

export function scopeText(p: Promotion, storeName: (id: string) => string): string {
  const parts = [...p.scope.storeIds.map(storeName), ...p.scope.regions.map((r) => `region ${r}`)];
  return parts.length ? parts.join(', ') : 'All stores';
}

export { WEEKDAYS };
