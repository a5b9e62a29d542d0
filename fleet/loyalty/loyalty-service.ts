import type { Clock } from '../../platform/clock.ts';
import type {
  Family,
  MemberChangesBody,
  MemberDetail,
  MemberListQuery,
  NewMemberBody,
} from '../../protocol/api/members.ts';
import { MAX_FAMILY_MEMBERS } from '../../protocol/api/members.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import { CouponRepository } from './coupon-repository.ts';
import { CouponService } from './coupon-service.ts';
import { LoyaltyConfigRepository } from './loyalty-config-repository.ts';
import { newId } from './loyalty-ids.ts';
import { LoyaltySettings } from './loyalty-settings.ts';
import { MemberCodes } from './member-code.ts';
import { type MemberRecord, MemberRepository } from './member-repository.ts';
import { PointsLedger } from './points-ledger.ts';
import { PointsService, poolOf } from './points-service.ts';
import { newTotpSecret } from './totp.ts';

export interface LoyaltyServiceDeps {
  db: Database;
  writer: DatabaseWriter;
  /** A store's IANA time zone, undefined for an unknown store. */
  timeZoneOf: (storeId: string) => string | undefined;
  clock: Clock;
  /** Told after tiers, earn rules or the redemption policy changed (the pricing snapshots carry them). */
  onConfigChanged?: () => void;
}

/**
 * The loyalty program on the fleet: members and their tiers, family accounts (an owner and up to 5 members sharing
 * one points pool), member-code login, and, as parts, the points ledger (`points`), coupons (`coupons`) and the
 * program's configuration (`settings`). Every change is one write transaction through the fleet's `DatabaseWriter`.
 */
export class LoyaltyService {
  readonly members: MemberRepository;
  readonly points: PointsService;
  readonly coupons: CouponService;
  readonly settings: LoyaltySettings;
  readonly codes: MemberCodes;
  private readonly ledger: PointsLedger;

  constructor(private readonly deps: LoyaltyServiceDeps) {
    const config = new LoyaltyConfigRepository(deps.db);
    this.members = new MemberRepository(deps.db);
    this.ledger = new PointsLedger(deps.db);
    this.points = new PointsService({
      members: this.members,
      ledger: this.ledger,
      config,
      timeZoneOf: deps.timeZoneOf,
      writer: deps.writer,
      clock: deps.clock,
    });
    this.coupons = new CouponService(new CouponRepository(deps.db), this.members, deps.writer, deps.clock);
    this.settings = new LoyaltySettings(config, this.members, deps.writer, deps.clock, deps.onConfigChanged);
    this.codes = new MemberCodes((number) => {
      const m = this.members.byNumber(number);
      return m && { memberId: m.id, totpSecret: m.totpSecret, disabled: m.disabled };
    }, deps.clock);
  }

  /** MEMBER_NOT_FOUND for an unknown id. */
  member(id: string): MemberRecord {
    const member = this.members.get(id);
    if (!member) throw new FleetError('MEMBER_NOT_FOUND', `no member '${id}'`);
    return member;
  }

  search(query: Omit<MemberListQuery, 'limit' | 'offset'> & { limit: number; offset: number }) {
    return this.members.search(query);
  }

  /** The member, their pool's balance, their family and all their coupons (newest first, up to 100). */
  detail(id: string): MemberDetail {
    const member = this.member(id);
    const poolId = poolOf(member);
    const { phone: _phone, totpSecret: _secret, ...view } = member;
    return {
      member: view,
      poolId,
      balancePoints: this.ledger.balance(poolId),
      family: member.familyId ? (this.members.family(member.familyId) ?? null) : null,
      coupons: this.coupons.list({ memberId: id, limit: 100, offset: 0 }).items,
    };
  }

  async createMember(input: NewMemberBody): Promise<MemberRecord> {
    const id = input.id ?? newId('m');
    const at = this.deps.clock.now();
    await this.deps.writer.write('member.create', () => {
      const tierId = input.tierId ?? 'standard';
      if (!this.settings.tierExists(tierId)) throw new FleetError('MEMBER_INVALID', `no tier '${tierId}'`);
      const memberNumber = input.memberNumber ?? this.members.nextMemberNumber();
      if (this.members.get(id)) throw new FleetError('MEMBER_EXISTS', `member id '${id}' is taken`);
      if (this.members.byNumber(memberNumber)) {
        throw new FleetError('MEMBER_EXISTS', `member number ${memberNumber} is taken`);
      }
      this.members.insert({
        id,
        memberNumber,
        displayName: input.displayName,
        phone: input.phone ?? null,
        tierId,
        totpSecret: newTotpSecret(),
        createdAt: at,
      });
    });
    return this.member(id);
  }

  async updateMember(id: string, change: MemberChangesBody): Promise<MemberRecord> {
    await this.deps.writer.write('member.update', () => {
      this.member(id);
      if (change.tierId !== undefined && !this.settings.tierExists(change.tierId)) {
        throw new FleetError('MEMBER_INVALID', `no tier '${change.tierId}'`);
      }
      this.members.update(id, change, this.deps.clock.now());
    });
    return this.member(id);
  }

  /** The code the member app shows now (members:write: it lets whoever holds it log in as the member). */
  currentCode(id: string): { memberId: string; code: string; expiresAt: number } {
    const member = this.member(id);
    return { memberId: id, ...this.codes.current(member.memberNumber, member.totpSecret) };
  }

  /**
   * A cart's `member-login`: the code is verified (MEMBER_CODE_INVALID, LOGIN_THROTTLED) and the answer is what
   * the cart keeps for the session: the pool's balance (what can be spent: never below 0), what the store still
   * accepts from the pool today, and the member's usable coupons.
   */
  login(code: string, storeId: string, at = this.deps.clock.now()): MemberContext {
    if (!this.deps.timeZoneOf(storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    return this.memberContext(this.member(this.codes.verify(code, at)), storeId, at);
  }

  /**
   * What pricing needs of a member in a store at `at` (the `member-login` answer, and what checkout and quotes
   * price with): the pool's spendable balance, what the store still accepts from it today, the usable coupons.
   */
  memberContext(member: MemberRecord, storeId: string, at = this.deps.clock.now()): MemberContext {
    const poolId = poolOf(member);
    return {
      memberId: member.id,
      memberNumber: member.memberNumber,
      displayName: member.displayName,
      tierId: member.tierId,
      familyId: member.familyId,
      balancePoints: Math.max(0, this.ledger.balance(poolId)),
      storeRedeemablePoints: this.points.storeRedeemable(poolId, storeId, at),
      coupons: this.coupons.usable(member.id, at).map(({ orderId: _o, issuedAt: _a, issuedBy: _b, ...c }) => c),
      verified: true,
    };
  }

  family(id: string): Family {
    const family = this.members.family(id);
    if (!family) throw new FleetError('FAMILY_NOT_FOUND', `no family '${id}'`);
    return family;
  }

  /** A family with `ownerId` as its owner; the owner's own points move into the family's pool. */
  async createFamily(ownerId: string, id = newId('f')): Promise<Family> {
    const at = this.deps.clock.now();
    await this.deps.writer.write('family.create', () => {
      const owner = this.member(ownerId);
      if (owner.familyId)
        throw new FleetError('FAMILY_INVALID', `member '${ownerId}' is already in family '${owner.familyId}'`);
      if (this.members.family(id)) throw new FleetError('FAMILY_INVALID', `family id '${id}' is taken`);
      this.refuseOpenHolds(owner);
      this.members.insertFamily(id, ownerId, at);
      this.join(owner, id, at);
    });
    return this.family(id);
  }

  /**
   * Adds a member: FAMILY_FULL beyond the owner and 5 members, FAMILY_INVALID for a member of another family.
   * Their own balance moves into the family's pool (a `transfer` out of their pool and into the family's, both
   * attributed to them). Adding a member already in this family changes nothing.
   */
  async addFamilyMember(familyId: string, memberId: string): Promise<Family> {
    const at = this.deps.clock.now();
    await this.deps.writer.write('family.add', () => {
      this.family(familyId);
      const member = this.member(memberId);
      if (member.familyId === familyId) return;
      if (member.familyId)
        throw new FleetError('FAMILY_INVALID', `member '${memberId}' is in family '${member.familyId}'`);
      if (this.members.familySize(familyId) >= MAX_FAMILY_MEMBERS + 1) {
        throw new FleetError('FAMILY_FULL', `a family has an owner and at most ${MAX_FAMILY_MEMBERS} members`);
      }
      this.refuseOpenHolds(member);
      this.join(member, familyId, at);
    });
    return this.family(familyId);
  }

  /**
   * Removes a member (not the owner: FAMILY_INVALID). The shared points stay in the family's pool; the member
   * starts again from their own, empty pool.
   */
  async removeFamilyMember(familyId: string, memberId: string): Promise<Family> {
    const at = this.deps.clock.now();
    await this.deps.writer.write('family.remove', () => {
      const family = this.family(familyId);
      const member = this.member(memberId);
      if (member.familyId !== familyId)
        throw new FleetError('FAMILY_INVALID', `member '${memberId}' is not in this family`);
      if (family.ownerId === memberId) throw new FleetError('FAMILY_INVALID', 'the owner cannot leave their family');
      this.refuseOpenHolds(member);
      this.members.setFamily(memberId, null, at);
    });
    return this.family(familyId);
  }

  private join(member: MemberRecord, familyId: string, at: number): void {
    const own = this.ledger.balance(member.id);
    this.members.setFamily(member.id, familyId, at);
    if (own === 0) return;
    const note = `joined family ${familyId}`;
    this.ledger.append({
      poolId: member.id,
      memberId: member.id,
      storeId: null,
      kind: 'transfer',
      points: -own,
      note,
      createdAt: at,
    });
    this.ledger.append({
      poolId: familyId,
      memberId: member.id,
      storeId: null,
      kind: 'transfer',
      points: own,
      note,
      createdAt: at,
    });
  }

  /** A hold settles into the member's current pool: moving them while one is open would split it. */
  private refuseOpenHolds(member: MemberRecord): void {
    if (this.ledger.openHolds(member.id) > 0) {
      throw new FleetError('FAMILY_INVALID', `member '${member.id}' has a redemption in progress; try after checkout`);
    }
  }
}
