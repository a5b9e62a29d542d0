import { maxRedeemablePoints } from '../../../commerce/points-rules.ts';
import type { PricingContext } from '../../../commerce/pricing-engine.ts';
import type { PricedBasket } from '../../../protocol/commerce/basket.ts';
import type {
  CartScreenState,
  ScreenCheckout,
  ScreenLocale,
  ScreenNotice,
  ScreenPrompt,
  ScreenRecognition,
} from '../../../protocol/commerce/cart-screen.ts';
import type { MemberContext } from '../../../protocol/commerce/loyalty.ts';
import type { LocalizedText } from '../../../protocol/commerce/text.ts';
import type { BasketState } from '../basket/basket-types.ts';

/** What the shop knows at a moment; `screenState()` turns it into what the screen shows. */
export interface ShopView {
  thingName: string;
  storeName: string | null;
  online: boolean;
  context: PricingContext | null;
  session: { state: 'idle' | 'shopping' | 'checkout'; sessionId: string | null };
  member: MemberContext | null;
  basket: BasketState;
  priced: PricedBasket | null;
  couponIds: string[];
  pointsToRedeem: number;
  produceQuery: string | null;
  /** Recognition's open offer: a pick, or produce suggested first in the picker. */
  recognition: ScreenRecognition | null;
  locale: ScreenLocale;
  checkout: ScreenCheckout | null;
  notice: ScreenNotice | null;
}

const UNKNOWN: LocalizedText = { zh: '未知商品', en: 'Unknown item' };

export function screenState(view: ShopView): CartScreenState {
  const { context, basket, priced, member } = view;
  const name = (sku: string): LocalizedText => context?.catalog.product(sku)?.name ?? UNKNOWN;
  const promotionNames: Record<string, LocalizedText> = {};
  for (const applied of priced?.promotions ?? []) {
    const found = context?.promotionById.get(applied.promotionId);
    if (found) promotionNames[applied.promotionId] = found.promotion.name;
  }
  const prompt = basket.prompt;
  const screenPrompt: ScreenPrompt | null = prompt
    ? {
        kind: prompt.kind,
        since: prompt.since,
        ...('lineId' in prompt ? { lineId: prompt.lineId } : {}),
        ...('sku' in prompt ? { sku: prompt.sku, name: name(prompt.sku) } : {}),
        ...('deltaG' in prompt ? { deltaG: prompt.deltaG } : {}),
        ...('expectedG' in prompt ? { expectedG: prompt.expectedG } : {}),
      }
    : null;
  const tier = member && context ? (context.tiers.get(member.tierId) ?? null) : null;
  return {
    thingName: view.thingName,
    storeName: view.storeName,
    online: view.online,
    snapshotVersion: context?.snapshot.version ?? null,
    session: view.session,
    member: member
      ? {
          displayName: member.displayName,
          tierName: tier?.name ?? null,
          balancePoints: member.balancePoints,
          verified: member.verified,
          coupons: member.coupons,
        }
      : null,
    lines: basket.lines.map((l) => {
      const product = context?.catalog.product(l.sku);
      return {
        lineId: l.lineId,
        sku: l.sku,
        name: name(l.sku),
        soldBy: product?.soldBy ?? 'each',
        quantity: l.quantity,
        confirmedQuantity: l.confirmedQuantity,
        weightG: l.weightG,
        source: l.source,
        minAge: product?.minAge ?? null,
      };
    }),
    prompt: screenPrompt,
    recognition: view.recognition,
    locks: basket.locks.map((lock) => ({ ...lock })),
    attendant: basket.attendant ? { ...basket.attendant } : null,
    priced,
    promotionNames,
    couponIds: view.couponIds,
    pointsToRedeem: view.pointsToRedeem,
    pointsStep: Math.max(1, context?.snapshot.redemption.minPoints ?? 1),
    maxRedeemablePoints:
      context && priced ? maxRedeemablePoints(context.snapshot.redemption, member, priced.totalFen) : 0,
    produce: view.produceQuery !== null && context ? producePicker(view, context) : null,
    checkout: view.checkout,
    notice: view.notice,
  };
}

/** The produce picker's list: recognition's suggestions first (when it made some), then the query's matches. */
function producePicker(view: ShopView, context: PricingContext): NonNullable<CartScreenState['produce']> {
  const suggested = view.recognition?.kind === 'suggest-produce' ? view.recognition.options.map((o) => o.sku) : [];
  const first = suggested.flatMap((sku) => {
    const p = context.catalog.product(sku);
    return p ? [p] : [];
  });
  const rest = context.catalog.searchProduce(view.produceQuery ?? '', view.locale, 24);
  const results = [...first, ...rest.filter((p) => !suggested.includes(p.sku))].slice(0, 24).map((p) => ({
    sku: p.sku,
    plu: p.plu,
    name: p.name,
    priceFen: p.priceFen,
  }));
  return { query: view.produceQuery ?? '', suggested, results };
}
