import { StatementCache } from '../../platform/statement-cache.ts';
import type { EarnRule, RedemptionPolicy, Tier } from '../../protocol/commerce/loyalty.ts';
import type { Database } from '../storage/database.ts';

/** Tiers, earn rules and the redemption policy: the loyalty configuration the pricing snapshot carries. */
export class LoyaltyConfigRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  tiers(): Tier[] {
    const rows = this.statements
      .prepare('SELECT id, name, earn_multiplier_percent FROM loyalty_tiers ORDER BY position, id')
      .all() as { id: string; name: string; earn_multiplier_percent: number }[];
    return rows.map((r) => ({ id: r.id, name: JSON.parse(r.name), earnMultiplierPercent: r.earn_multiplier_percent }));
  }

  tierExists(id: string): boolean {
    return this.statements.prepare('SELECT 1 FROM loyalty_tiers WHERE id = ?').get(id) !== undefined;
  }

  /** Upserts the listed tiers in order and deletes the others (the caller checked none is still held). */
  replaceTiers(tiers: readonly Tier[]): void {
    const upsert = this.statements.prepare(
      `INSERT INTO loyalty_tiers (id, position, name, earn_multiplier_percent) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET position = excluded.position, name = excluded.name,
         earn_multiplier_percent = excluded.earn_multiplier_percent`,
    );
    tiers.forEach((t, i) => {
      upsert.run(t.id, i, JSON.stringify(t.name), t.earnMultiplierPercent);
    });
    const keep = new Set(tiers.map((t) => t.id));
    for (const t of this.tiers()) {
      if (!keep.has(t.id)) this.statements.prepare('DELETE FROM loyalty_tiers WHERE id = ?').run(t.id);
    }
  }

  earnRules(): EarnRule[] {
    const rows = this.statements.prepare('SELECT document FROM earn_rules ORDER BY position, id').all() as {
      document: string;
    }[];
    return rows.map((r) => JSON.parse(r.document) as EarnRule);
  }

  replaceEarnRules(rules: readonly EarnRule[]): void {
    this.statements.prepare('DELETE FROM earn_rules').run();
    const insert = this.statements.prepare('INSERT INTO earn_rules (id, position, document) VALUES (?, ?, ?)');
    rules.forEach((r, i) => {
      insert.run(r.id, i, JSON.stringify(r));
    });
  }

  redemptionPolicy(): RedemptionPolicy {
    const row = this.statements.prepare('SELECT document FROM redemption_policy WHERE id = 1').get() as {
      document: string;
    };
    return JSON.parse(row.document) as RedemptionPolicy;
  }

  setRedemptionPolicy(policy: RedemptionPolicy, at: number): void {
    this.statements
      .prepare('UPDATE redemption_policy SET document = ?, updated_at = ? WHERE id = 1')
      .run(JSON.stringify(policy), at);
  }
}
