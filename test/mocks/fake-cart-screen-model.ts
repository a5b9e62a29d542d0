import type { CartScreenModel } from '../../devices/cart/screen/cart-screen-server.ts';
import type { CartScreenAction, CartScreenState } from '../../protocol/commerce/cart-screen.ts';
import { type ErrorCode, fleetError } from '../../protocol/errors.ts';

/**
 * A `CartScreenModel` with a scripted state: tests set the state (`set`, `patch`), read the actions the screen sent
 * (`actions`), and make the next action fail with a code (`failNext`). `onAct` scripts a reaction (an answered
 * prompt closes, say) as the real model would.
 */
export class FakeCartScreenModel implements CartScreenModel {
  readonly actions: CartScreenAction[] = [];
  onAct: ((action: CartScreenAction, model: FakeCartScreenModel) => void) | undefined;
  private current: CartScreenState;
  private readonly listeners = new Set<() => void>();
  private failure: { code: ErrorCode; message: string } | undefined;

  constructor(initial: CartScreenState = idleScreenState()) {
    this.current = initial;
  }

  state(): CartScreenState {
    return this.current;
  }

  on(_event: 'change', listener: () => void): void {
    this.listeners.add(listener);
  }

  off(_event: 'change', listener: () => void): void {
    this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async act(action: CartScreenAction): Promise<void> {
    this.actions.push(action);
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw fleetError(failure.code, failure.message);
    this.onAct?.(action, this);
  }

  failNext(code: ErrorCode, message = `refused: ${code}`): void {
    this.failure = { code, message };
  }

  set(state: CartScreenState): void {
    this.current = state;
    for (const l of [...this.listeners]) l();
  }

  patch(patch: Partial<CartScreenState>): void {
    this.set({ ...this.current, ...patch });
  }
}

export function idleScreenState(): CartScreenState {
  return {
    thingName: 'cart-xuhui-001',
    storeName: 'Harbor Foods Xuhui',
    online: true,
    snapshotVersion: 7,
    session: { state: 'idle', sessionId: null },
    member: null,
    lines: [],
    prompt: null,
    recognition: null,
    locks: [],
    attendant: null,
    priced: null,
    promotionNames: {},
    couponIds: [],
    pointsToRedeem: 0,
    maxRedeemablePoints: 0,
    pointsStep: 1,
    produce: null,
    checkout: null,
    notice: null,
  };
}

const AT = Date.UTC(2026, 11, 5, 2, 30);

/**
 * A member's basket: milk ×2 with a multi-buy, bananas weighed at 1.234 kg, a beer waiting for the scale and an age
 * check; totals worked out by hand: 2 × ¥12.30 = ¥24.60 − ¥4.60 (2 for ¥20) = ¥20.00; bananas 1234 g × ¥6.98/kg =
 * ¥8.61 (861.3 fen, rounded); beer ¥7.50; subtotal ¥40.71, savings ¥4.60, total ¥36.11.
 */
export function basketScreenState(): CartScreenState {
  return {
    ...idleScreenState(),
    session: { state: 'shopping', sessionId: 'sess-1' },
    member: {
      displayName: 'Li Na',
      tierName: { zh: '金卡', en: 'Gold' },
      balancePoints: 2480,
      verified: true,
      coupons: [
        {
          id: 'SAVE5NOW',
          memberId: 'm-1',
          promotionId: 'promo-coupon-5',
          validFrom: AT - 86_400_000,
          validTo: AT + 7 * 86_400_000,
          minSpendFen: 3000,
          state: 'issued',
        },
      ],
    },
    lines: [
      {
        lineId: 'l1',
        sku: 'milk-1l',
        name: { zh: '鲜牛奶 1L', en: 'Fresh milk 1 L' },
        soldBy: 'each',
        quantity: 2,
        confirmedQuantity: 2,
        weightG: null,
        source: 'scan',
        minAge: null,
      },
      {
        lineId: 'l2',
        sku: 'banana',
        name: { zh: '香蕉', en: 'Bananas' },
        soldBy: 'weight',
        quantity: 1,
        confirmedQuantity: 1,
        weightG: 1234,
        source: 'produce',
        minAge: null,
      },
      {
        lineId: 'l3',
        sku: 'beer-500',
        name: { zh: '精酿啤酒 500ml', en: 'Craft beer 500 ml' },
        soldBy: 'each',
        quantity: 1,
        confirmedQuantity: 0,
        weightG: null,
        source: 'scan',
        minAge: 18,
      },
    ],
    locks: [
      { kind: 'age-check', lineIds: ['l3'], minAge: 18 },
      { kind: 'unconfirmed-lines', lineIds: ['l3'] },
    ],
    priced: {
      snapshotVersion: 7,
      at: AT,
      lines: [
        {
          lineId: 'l1',
          sku: 'milk-1l',
          soldBy: 'each',
          quantity: 2,
          weightG: null,
          unitPriceFen: 1230,
          grossFen: 2460,
          discounts: [{ promotionId: 'promo-milk-2for20', amountFen: 460 }],
          netFen: 2000,
          minAge: null,
          needsAttendant: false,
        },
        {
          lineId: 'l2',
          sku: 'banana',
          soldBy: 'weight',
          quantity: 1,
          weightG: 1234,
          unitPriceFen: 698,
          grossFen: 861,
          discounts: [],
          netFen: 861,
          minAge: null,
          needsAttendant: false,
        },
        {
          lineId: 'l3',
          sku: 'beer-500',
          soldBy: 'each',
          quantity: 1,
          weightG: null,
          unitPriceFen: 750,
          grossFen: 750,
          discounts: [],
          netFen: 750,
          minAge: 18,
          needsAttendant: false,
        },
      ],
      promotions: [
        { promotionId: 'promo-milk-2for20', kind: 'multi_buy', amountFen: 460, lineIds: ['l1'], couponId: null },
      ],
      subtotalFen: 4071,
      discountFen: 460,
      totalFen: 3611,
      points: { earned: 36, redeemed: 0, redeemedValueFen: 0 },
      payableFen: 3611,
      couponsUsed: [],
      couponsNotApplied: [],
    },
    promotionNames: {
      'promo-milk-2for20': { zh: '牛奶两件20元', en: 'Milk: 2 for ¥20' },
      'promo-coupon-5': { zh: '满30减5券', en: '¥5 off ¥30 coupon' },
    },
    maxRedeemablePoints: 1000,
    pointsStep: 100,
  };
}
