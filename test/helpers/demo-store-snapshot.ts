import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { demoCatalog } from '../../sim/demo-catalog.ts';
import { DEMO_EARN_RULES, DEMO_REDEMPTION_POLICY, DEMO_TIERS } from '../../sim/demo-members.ts';

/** The Xuhui demo store's pricing snapshot, version 7, built a minute before `at`: what the cart unit tests price on. */
export function demoStoreSnapshot(at: number, extra: Partial<PricingSnapshot> = {}): PricingSnapshot {
  const catalog = demoCatalog();
  const storeId = 'hf-shanghai-xuhui';
  return {
    version: 7,
    storeId,
    builtAt: at - 60_000,
    store: { id: storeId, region: 'east', timeZone: 'Asia/Shanghai' },
    categories: catalog.categories,
    products: catalog.products,
    promotions: catalog.promotions,
    earnRules: DEMO_EARN_RULES,
    tiers: DEMO_TIERS,
    redemption: DEMO_REDEMPTION_POLICY,
    variableMeasureLayouts: catalog.layouts,
    ...extra,
  };
}
