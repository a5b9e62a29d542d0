import type { Clock } from '../../platform/clock.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { EarnRulesSchema, TiersSchema } from '../../protocol/api/loyalty.ts';
import {
  type EarnRule,
  type RedemptionPolicy,
  RedemptionPolicySchema,
  type Tier,
} from '../../protocol/commerce/loyalty.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { LoyaltyConfigRepository } from './loyalty-config-repository.ts';
import type { MemberRepository } from './member-repository.ts';

/** What the pricing snapshot of every store carries of the loyalty program. */
export interface LoyaltyConfigView {
  tiers: Tier[];
  earnRules: EarnRule[];
  redemptionPolicy: RedemptionPolicy;
}

/**
 * The loyalty program's configuration: tiers, earn rules and the redemption policy, each replaced as a whole and
 * validated against the commerce contract's schema here too (not only at the HTTP edge: the demo and scripts call
 * this directly). LOYALTY_CONFIG_INVALID names the first problem.
 */
export class LoyaltySettings {
  private readonly tiersCheck = new SchemaValidator<Tier[]>(TiersSchema);
  private readonly rulesCheck = new SchemaValidator<EarnRule[]>(EarnRulesSchema);
  private readonly policyCheck = new SchemaValidator<RedemptionPolicy>(RedemptionPolicySchema);

  constructor(
    private readonly config: LoyaltyConfigRepository,
    private readonly members: MemberRepository,
    private readonly writer: DatabaseWriter,
    private readonly clock: Clock,
    private readonly onChanged: (() => void) | undefined,
  ) {}

  view(): LoyaltyConfigView {
    return {
      tiers: this.config.tiers(),
      earnRules: this.config.earnRules(),
      redemptionPolicy: this.config.redemptionPolicy(),
    };
  }

  tiers(): Tier[] {
    return this.config.tiers();
  }

  tierExists(id: string): boolean {
    return this.config.tierExists(id);
  }

  earnRules(): EarnRule[] {
    return this.config.earnRules();
  }

  redemptionPolicy(): RedemptionPolicy {
    return this.config.redemptionPolicy();
  }

  /** Replaces the tiers; one that members still hold cannot go (LOYALTY_CONFIG_INVALID names it). */
  async replaceTiers(input: unknown): Promise<Tier[]> {
    const tiers = checked(this.tiersCheck, input);
    duplicateIds(tiers);
    await this.writer.write('loyalty.tiers', () => {
      const keep = new Set(tiers.map((t) => t.id));
      for (const old of this.config.tiers()) {
        const held = keep.has(old.id) ? 0 : this.members.countByTier(old.id);
        if (held > 0) throw new FleetError('LOYALTY_CONFIG_INVALID', `tier '${old.id}' is held by ${held} member(s)`);
      }
      this.config.replaceTiers(tiers);
    });
    this.onChanged?.();
    return this.config.tiers();
  }

  /** Replaces the earn rules. A `base` rule needs `spendFenPerStep` and `pointsPerStep`; a `bonus` rule `bonusPercent`. */
  async replaceEarnRules(input: unknown): Promise<EarnRule[]> {
    const rules = checked(this.rulesCheck, input);
    duplicateIds(rules);
    rules.forEach((r, i) => {
      if (r.kind === 'base' && (r.spendFenPerStep === undefined || r.pointsPerStep === undefined)) {
        throw new FleetError('LOYALTY_CONFIG_INVALID', `${i}: a base rule needs spendFenPerStep and pointsPerStep`);
      }
      if (r.kind === 'bonus' && r.bonusPercent === undefined) {
        throw new FleetError('LOYALTY_CONFIG_INVALID', `${i}: a bonus rule needs bonusPercent`);
      }
    });
    await this.writer.write('loyalty.earn-rules', () => this.config.replaceEarnRules(rules));
    this.onChanged?.();
    return this.config.earnRules();
  }

  async setRedemptionPolicy(input: unknown): Promise<RedemptionPolicy> {
    const policy = checked(this.policyCheck, input);
    if (policy.minPoints < 1) throw new FleetError('LOYALTY_CONFIG_INVALID', 'minPoints: must be at least 1');
    const at = this.clock.now();
    await this.writer.write('loyalty.redemption-policy', () => this.config.setRedemptionPolicy(policy, at));
    this.onChanged?.();
    return this.config.redemptionPolicy();
  }
}

function checked<T>(validator: SchemaValidator<T>, input: unknown): T {
  // The validator fills defaults into what it checks: work on a copy, never on the caller's object.
  const copy = structuredClone(input);
  const result = validator.check(copy);
  if (!result.ok) throw new FleetError('LOYALTY_CONFIG_INVALID', result.reason);
  return result.value;
}

function duplicateIds(items: readonly { id: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) throw new FleetError('LOYALTY_CONFIG_INVALID', `${i}.id: duplicate id '${item.id}'`);
    seen.add(item.id);
  });
}
