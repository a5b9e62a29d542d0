import type { LoyaltyService } from '../fleet/loyalty/loyalty-service.ts';
import type { EarnRule, RedemptionPolicy, Tier } from '../protocol/commerce/loyalty.ts';
import type { PromotionScope } from '../protocol/commerce/promotions.ts';

/**
 * The demo's loyalty program, loaded through the fleet's own LoyaltyService (so every rule of the real service
 * applies): three tiers, the seed's earn rules (1 point per ¥1 everywhere; dining and bakery +20 % at weekends),
 * 100 points = ¥1 for at most half an order and 5,000 points per store per day, twenty members, and the Zhang
 * family of four sharing one pool with a little history. Deterministic: fixed ids, numbers, names and amounts (only
 * the members' TOTP secrets are random, as they must be). Loading twice changes nothing.
 */
export const DEMO_TIERS: Tier[] = [
  { id: 'standard', name: { zh: '普卡', en: 'Standard' }, earnMultiplierPercent: 100 },
  { id: 'silver', name: { zh: '银卡', en: 'Silver' }, earnMultiplierPercent: 125 },
  { id: 'gold', name: { zh: '金卡', en: 'Gold' }, earnMultiplierPercent: 150 },
];

const everywhere: PromotionScope = { storeIds: [], regions: [] };

/** Category ids are the demo catalog's (`dining`, `bakery`): the bonus applies to nothing where they do not exist. */
export const DEMO_EARN_RULES: EarnRule[] = [
  {
    id: 'base-1-per-yuan',
    kind: 'base',
    name: { zh: '每消费1元积1分', en: '1 point per ¥1' },
    categoryIds: [],
    scope: everywhere,
    spendFenPerStep: 100,
    pointsPerStep: 1,
    priority: 0,
  },
  {
    id: 'weekend-dining-bakery',
    kind: 'bonus',
    name: { zh: '周末餐饮烘焙积分加20%', en: 'Weekend dining and bakery +20 %' },
    categoryIds: ['dining', 'bakery'],
    scope: everywhere,
    bonusPercent: 20,
    window: { from: '2025-01-01', to: '2035-12-31', weekdays: [6, 7] },
    priority: 10,
  },
];

export const DEMO_REDEMPTION_POLICY: RedemptionPolicy = {
  fenPer100Points: 100,
  maxPercentOfTotal: 50,
  minPoints: 100,
  perStoreDailyLimitPoints: 5000,
};

const NAMES: [string, Tier['id']][] = [
  ['张伟 Zhang Wei', 'gold'],
  ['李娜 Li Na', 'silver'],
  ['张小明 Zhang Xiaoming', 'standard'],
  ['张小红 Zhang Xiaohong', 'standard'],
  ['王芳 Wang Fang', 'silver'],
  ['刘洋 Liu Yang', 'standard'],
  ['陈静 Chen Jing', 'gold'],
  ['杨帆 Yang Fan', 'standard'],
  ['赵磊 Zhao Lei', 'standard'],
  ['黄敏 Huang Min', 'silver'],
  ['周杰 Zhou Jie', 'standard'],
  ['吴婷 Wu Ting', 'standard'],
  ['徐强 Xu Qiang', 'gold'],
  ['孙丽 Sun Li', 'standard'],
  ['马超 Ma Chao', 'silver'],
  ['朱琳 Zhu Lin', 'standard'],
  ['胡军 Hu Jun', 'standard'],
  ['郭蕾 Guo Lei', 'standard'],
  ['何平 He Ping', 'silver'],
  ['高洁 Gao Jie', 'standard'],
];

export interface DemoMembers {
  memberIds: string[];
  familyId: string;
}

export const DEMO_FAMILY_ID = 'demo-family-zhang';
const memberId = (i: number) => `demo-m-${String(i + 1).padStart(2, '0')}`;
const memberNumber = (i: number) => String(80_000_001 + i);

/** Loads the demo's loyalty program into a fleet; `storeIds` are the stores where the history happened. */
export async function loadDemoMembers(loyalty: LoyaltyService, storeIds: readonly string[]): Promise<DemoMembers> {
  const memberIds = NAMES.map((_, i) => memberId(i));
  const familyId = DEMO_FAMILY_ID;
  if (loyalty.members.get(memberIds[0] as string)) return { memberIds, familyId };
  const [home = 'hf-shanghai-xuhui', other = home] = storeIds;

  await loyalty.settings.replaceTiers(DEMO_TIERS);
  await loyalty.settings.replaceEarnRules(DEMO_EARN_RULES);
  await loyalty.settings.setRedemptionPolicy(DEMO_REDEMPTION_POLICY);
  for (const [i, [displayName, tierId]] of NAMES.entries()) {
    await loyalty.createMember({
      id: memberId(i),
      memberNumber: memberNumber(i),
      displayName,
      tierId,
      phone: `1380000${String(1000 + i)}`,
    });
  }

  // Before the family existed, two of its members earned on their own: that comes with them into the pool.
  await loyalty.points.earn(memberId(0), home, 'demo-order-0001', 1280);
  await loyalty.points.earn(memberId(1), other, 'demo-order-0002', 640);
  await loyalty.createFamily(memberId(0), familyId);
  for (const i of [1, 2, 3]) await loyalty.addFamilyMember(familyId, memberId(i));
  // Family history: each entry names the member whose order it was.
  await loyalty.points.earn(memberId(2), home, 'demo-order-0003', 86);
  await loyalty.points.earn(memberId(3), other, 'demo-order-0004', 152);
  const hold = await loyalty.points.holdRedemption(memberId(1), home, 'demo-order-0005', 500);
  await loyalty.points.captureRedemption(hold.holdId);
  await loyalty.points.earn(memberId(1), home, 'demo-order-0005', 73);
  await loyalty.points.adjust(memberId(0), 200, 'demo', 'birthday bonus');

  // Everyone else: a deterministic balance each.
  for (let i = 4; i < NAMES.length; i++) {
    await loyalty.points.earn(memberId(i), i % 2 ? other : home, `demo-order-${1000 + i}`, 100 + ((i * 137) % 900));
  }
  return { memberIds, familyId };
}
