import type { Category, Product, VariableMeasureLayout } from '../../protocol/commerce/catalog.ts';
import type { EarnRule, RedemptionPolicy, Tier } from '../../protocol/commerce/loyalty.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import type { OfflineStaff, PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import type { StoreRepository } from '../registry/store-repository.ts';

/**
 * What a store's pricing snapshot is built from. The catalog (fleet/catalog/, fleet/promotions/), loyalty
 * (fleet/loyalty/) and staff codes (fleet/attendants/) implement it; PricingSnapshotService filters promotions and
 * earn rules to the store and to those not yet ended, so a source may return the chain's whole list.
 */
export interface SnapshotSource {
  store(storeId: string): PricingSnapshot['store'] | undefined;
  storeIds(): string[];
  /** The store's products with its store prices and availability already applied. */
  products(storeId: string): Product[];
  categories(): Category[];
  promotions(): Promotion[];
  earnRules(): EarnRule[];
  tiers(): Tier[];
  redemption(): RedemptionPolicy;
  variableMeasureLayouts(): VariableMeasureLayout[];
  /** The offline verifiers of the people who may approve at the store's carts (`StaffCodes.offlineStaff`). */
  staff(storeId: string): OfflineStaff[];
}

/** No points are redeemable until a loyalty source says otherwise. */
export const NO_REDEMPTION: RedemptionPolicy = {
  fenPer100Points: 100,
  maxPercentOfTotal: 0,
  minPoints: 100,
  perStoreDailyLimitPoints: 0,
};

/** The commerce inputs of a snapshot, each optional: what a source not yet wired (catalog, loyalty) leaves empty. */
export type CommerceInputs = Partial<Omit<SnapshotSource, 'store' | 'storeIds'>>;

/**
 * The source the fleet starts with: stores from the registry, the commerce inputs from whoever provides them (the
 * catalog, loyalty and staff codes; a test's fixtures), empty otherwise.
 */
export class RegistrySnapshotSource implements SnapshotSource {
  constructor(
    private readonly stores: StoreRepository,
    private readonly inputs: CommerceInputs = {},
  ) {}

  store(storeId: string): PricingSnapshot['store'] | undefined {
    const store = this.stores.getStore(storeId);
    return store && { id: store.id, region: store.region, timeZone: store.timeZone };
  }

  storeIds(): string[] {
    return this.stores.listStores().map((s) => s.id);
  }

  products(storeId: string): Product[] {
    return this.inputs.products?.(storeId) ?? [];
  }

  categories(): Category[] {
    return this.inputs.categories?.() ?? [];
  }

  promotions(): Promotion[] {
    return this.inputs.promotions?.() ?? [];
  }

  earnRules(): EarnRule[] {
    return this.inputs.earnRules?.() ?? [];
  }

  tiers(): Tier[] {
    return this.inputs.tiers?.() ?? [];
  }

  redemption(): RedemptionPolicy {
    return this.inputs.redemption?.() ?? NO_REDEMPTION;
  }

  variableMeasureLayouts(): VariableMeasureLayout[] {
    return this.inputs.variableMeasureLayouts?.() ?? [];
  }

  staff(storeId: string): OfflineStaff[] {
    return this.inputs.staff?.(storeId) ?? [];
  }
}
