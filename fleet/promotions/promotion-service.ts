import { isWindowOpen } from '../../commerce/promotion-window.ts';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { PromotionListQuery, PromotionPage, PromotionRecord } from '../../protocol/api/promotions.ts';
import type { Promotion, PromotionScope } from '../../protocol/commerce/promotions.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { Store } from '../registry/registry-types.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import { promotionProblems } from './promotion-checks.ts';
import { PromotionRepository } from './promotion-repository.ts';

/** Who reads or writes: their name, and their stores (`null`: the whole chain, a chain-wide role). */
export interface PromotionActor {
  username: string;
  storeIds: ReadonlySet<string> | null;
}

/**
 * Promotions: checked (promotion-checks.ts), scoped and owned. A chain-wide role reads and writes any promotion; a
 * store-scoped person reads the promotions that run in one of their stores (chain, region and store ones) and writes
 * only promotions scoped to their own stores (no regions), and never one a chain-wide role owns. Writes go through
 * the fleet's `DatabaseWriter` and are announced with `catalog.changed` (`what: 'promotions'`).
 */
export class PromotionService {
  readonly repository: PromotionRepository;

  constructor(
    db: Database,
    private readonly writer: DatabaseWriter,
    private readonly catalog: CatalogService,
    private readonly stores: StoreRepository,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: { writeDeadlineMs: number },
    private readonly clock: Clock,
  ) {
    this.repository = new PromotionRepository(db);
  }

  list(actor: PromotionActor, query: PromotionListQuery): PromotionPage {
    const stores = this.stores.listStores();
    const store = query.storeId === undefined ? undefined : stores.find((s) => s.id === query.storeId);
    if (query.storeId !== undefined && (!store || !inActorScope(actor, store.id))) return { items: [], total: 0 };
    const matching = this.repository.all().filter((record) => {
      const p = record.promotion;
      if (!this.visible(actor, p.scope, stores)) return false;
      if (query.kind !== undefined && p.kind !== query.kind) return false;
      if (store && !runsIn(p.scope, store)) return false;
      if (query.activeAt !== undefined) {
        const where = store ? [store] : stores.filter((s) => runsIn(p.scope, s));
        const zones = new Set(where.map((s) => s.timeZone));
        if (![...zones].some((zone) => isWindowOpen(p.window, query.activeAt as number, zone))) return false;
      }
      return true;
    });
    return { items: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  }

  /** PROMOTION_NOT_FOUND for a promotion that does not run in any of the actor's stores, as for an unknown one. */
  get(actor: PromotionActor, id: string): PromotionRecord {
    const record = this.repository.get(id);
    if (!record || !this.visible(actor, record.promotion.scope, this.stores.listStores())) {
      throw new FleetError('PROMOTION_NOT_FOUND', `no promotion '${id}'`);
    }
    return record;
  }

  /**
   * Writes the promotion over the one with its id. PROMOTION_INVALID lists every problem (`details`); NOT_AUTHORIZED
   * when the actor may not write a promotion with this scope, or may not change the one it replaces.
   */
  async put(actor: PromotionActor, id: string, value: unknown): Promise<{ record: PromotionRecord; created: boolean }> {
    if ((value as { id?: unknown } | null)?.id !== id) {
      throw new FleetError('BAD_REQUEST', `the body's id must be the path's ('${id}')`);
    }
    const created = await this.writer.write(
      'promotion',
      () => {
        // The promotion it replaces first: a store manager may not learn that a chain promotion's new body is wrong.
        const before = this.repository.get(id);
        if (before) this.requireMayChange(actor, before);
        const problems = promotionProblems(value, this.references());
        if (problems.length > 0) {
          throw new FleetError(
            'PROMOTION_INVALID',
            problems.map((p) => `${p.field ?? 'promotion'}: ${p.message}`).join('; '),
            problems,
          );
        }
        const promotion = value as Promotion;
        this.requireWritableScope(actor, promotion.scope);
        const owner = actor.storeIds === null ? 'chain' : 'stores';
        const wasNew = this.repository.put(promotion, owner, actor.username, this.clock.now());
        return { wasNew, before };
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    const record = this.repository.get(id) as PromotionRecord;
    this.changed(record.promotion.scope, created.before?.promotion.scope);
    return { record, created: created.wasNew };
  }

  async delete(actor: PromotionActor, id: string): Promise<PromotionRecord> {
    const record = await this.writer.write(
      'promotion delete',
      () => {
        const found = this.get(actor, id);
        this.requireMayChange(actor, found);
        this.repository.delete(id);
        return found;
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.changed(record.promotion.scope);
    return record;
  }

  private visible(actor: PromotionActor, scope: PromotionScope, stores: readonly Store[]): boolean {
    if (actor.storeIds === null) return true;
    return stores.some((s) => inActorScope(actor, s.id) && runsIn(scope, s));
  }

  /** A store-scoped person writes promotions for their own stores only, named one by one. */
  private requireWritableScope(actor: PromotionActor, scope: PromotionScope): void {
    if (actor.storeIds === null) return;
    const own = actor.storeIds;
    if (scope.regions.length > 0 || scope.storeIds.length === 0 || scope.storeIds.some((s) => !own.has(s))) {
      throw new FleetError(
        'NOT_AUTHORIZED',
        'you may write promotions only for your own stores: scope.storeIds within them, no regions',
      );
    }
  }

  private requireMayChange(actor: PromotionActor, record: PromotionRecord): void {
    if (actor.storeIds === null) return;
    if (record.owner === 'chain') {
      throw new FleetError('NOT_AUTHORIZED', `promotion '${record.promotion.id}' is the chain's: only HQ changes it`);
    }
    this.requireWritableScope(actor, record.promotion.scope);
  }

  private references() {
    const stores = this.stores.listStores();
    return {
      productExists: (sku: string) => this.catalog.products.exists(sku),
      categoryExists: (id: string) => this.catalog.categories.exists(id),
      storeExists: (id: string) => stores.some((s) => s.id === id),
      regionExists: (region: string) => stores.some((s) => s.region === region),
    };
  }

  /** Store-only scopes concern those stores; anything wider, every store. */
  private changed(scope: PromotionScope, before?: PromotionScope): void {
    const storeOnly = (s: PromotionScope) => s.regions.length === 0 && s.storeIds.length > 0;
    const scopes = before ? [scope, before] : [scope];
    const storeIds = scopes.every(storeOnly) ? [...new Set(scopes.flatMap((s) => s.storeIds))].sort() : null;
    this.bus.emit('catalog.changed', { storeIds, what: 'promotions' });
  }
}

/** Whether a promotion with this scope runs in the store: listed, or of a listed region, or chain-wide. */
export function runsIn(scope: PromotionScope, store: Pick<Store, 'id' | 'region'>): boolean {
  if (scope.storeIds.length === 0 && scope.regions.length === 0) return true;
  return scope.storeIds.includes(store.id) || (store.region !== null && scope.regions.includes(store.region));
}

function inActorScope(actor: PromotionActor, storeId: string): boolean {
  return actor.storeIds === null || actor.storeIds.has(storeId);
}
