import { StatementCache } from '../../platform/statement-cache.ts';
import type { Family, Member } from '../../protocol/api/members.ts';
import type { Database } from '../storage/database.ts';

interface MemberRow {
  id: string;
  member_number: string;
  display_name: string;
  phone: string | null;
  tier_id: string;
  family_id: string | null;
  totp_secret: string;
  disabled: number;
  created_at: number;
}

/** A member with what only the fleet may see: the phone number and the member code's secret. */
export interface MemberRecord extends Member {
  phone: string | null;
  totpSecret: string;
}

export interface NewMemberRecord {
  id: string;
  memberNumber: string;
  displayName: string;
  phone: string | null;
  tierId: string;
  totpSecret: string;
  createdAt: number;
}

/** Members and family accounts. Plain statements: the service runs them inside its write transactions. */
export class MemberRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(m: NewMemberRecord): void {
    this.statements
      .prepare(
        `INSERT INTO members (id, member_number, display_name, phone, tier_id, totp_secret, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(m.id, m.memberNumber, m.displayName, m.phone, m.tierId, m.totpSecret, m.createdAt, m.createdAt);
  }

  update(
    id: string,
    change: { displayName?: string; phone?: string | null; tierId?: string; disabled?: boolean },
    at: number,
  ): void {
    const sets: string[] = ['updated_at = @at'];
    if (change.displayName !== undefined) sets.push('display_name = @displayName');
    if (change.phone !== undefined) sets.push('phone = @phone');
    if (change.tierId !== undefined) sets.push('tier_id = @tierId');
    if (change.disabled !== undefined) sets.push('disabled = @disabled');
    this.statements.prepare(`UPDATE members SET ${sets.join(', ')} WHERE id = @id`).run({
      id,
      at,
      displayName: change.displayName ?? null,
      phone: change.phone ?? null,
      tierId: change.tierId ?? null,
      disabled: change.disabled ? 1 : 0,
    });
  }

  get(id: string): MemberRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM members WHERE id = ?').get(id) as MemberRow | undefined;
    return row && toMember(row);
  }

  byNumber(memberNumber: string): MemberRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM members WHERE member_number = ?').get(memberNumber) as
      | MemberRow
      | undefined;
    return row && toMember(row);
  }

  /** The next free number after the highest 8-digit one (80000001 for the first). */
  nextMemberNumber(): string {
    const row = this.statements
      .prepare(`SELECT max(CAST(member_number AS INTEGER)) AS n FROM members WHERE length(member_number) = 8`)
      .get() as { n: number | null };
    return String(Math.max(row.n ?? 0, 80_000_000) + 1);
  }

  search(query: { q?: string; tierId?: string; limit: number; offset: number }): {
    items: MemberRecord[];
    total: number;
  } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.q) {
      // A number prefix, a part of the name, or the whole phone number (personal data is matched, not listed).
      where.push(`(member_number LIKE @prefix ESCAPE '\\' OR display_name LIKE @part ESCAPE '\\' OR phone = @q)`);
      const escaped = query.q.replace(/[\\%_]/g, (c) => `\\${c}`);
      Object.assign(params, { prefix: `${escaped}%`, part: `%${escaped}%`, q: query.q });
    }
    if (query.tierId) {
      where.push('tier_id = @tierId');
      params.tierId = query.tierId;
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.statements.prepare(`SELECT count(*) AS n FROM members ${filter}`).get(params) as { n: number })
      .n;
    const rows = this.statements
      .prepare(`SELECT * FROM members ${filter} ORDER BY member_number LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit, offset: query.offset }) as MemberRow[];
    return { items: rows.map(toMember), total };
  }

  countByTier(tierId: string): number {
    return (this.statements.prepare('SELECT count(*) AS n FROM members WHERE tier_id = ?').get(tierId) as { n: number })
      .n;
  }

  insertFamily(id: string, ownerId: string, at: number): void {
    this.statements.prepare('INSERT INTO families (id, owner_id, created_at) VALUES (?, ?, ?)').run(id, ownerId, at);
  }

  setFamily(memberId: string, familyId: string | null, at: number): void {
    this.statements
      .prepare('UPDATE members SET family_id = ?, updated_at = ? WHERE id = ?')
      .run(familyId, at, memberId);
  }

  family(id: string): Family | undefined {
    const row = this.statements.prepare('SELECT id, owner_id, created_at FROM families WHERE id = ?').get(id) as
      | { id: string; owner_id: string; created_at: number }
      | undefined;
    if (!row) return undefined;
    const members = this.statements
      .prepare('SELECT id, member_number, display_name FROM members WHERE family_id = ? ORDER BY member_number')
      .all(id) as Pick<MemberRow, 'id' | 'member_number' | 'display_name'>[];
    return {
      id: row.id,
      ownerId: row.owner_id,
      createdAt: row.created_at,
      members: members
        .map((m) => ({
          id: m.id,
          memberNumber: m.member_number,
          displayName: m.display_name,
          owner: m.id === row.owner_id,
        }))
        .sort((a, b) => Number(b.owner) - Number(a.owner)),
    };
  }

  familySize(id: string): number {
    return (this.statements.prepare('SELECT count(*) AS n FROM members WHERE family_id = ?').get(id) as { n: number })
      .n;
  }
}

function toMember(row: MemberRow): MemberRecord {
  return {
    id: row.id,
    memberNumber: row.member_number,
    displayName: row.display_name,
    phone: row.phone,
    phoneMasked: maskPhone(row.phone),
    tierId: row.tier_id,
    familyId: row.family_id,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    totpSecret: row.totp_secret,
  };
}

/** `13812345678` → `138****5678`: enough for a support call to confirm, not enough to call. */
export function maskPhone(phone: string | null): string | null {
  if (phone === null) return null;
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '****';
  return `${digits.slice(0, Math.min(3, digits.length - 4))}****${digits.slice(-4)}`;
}

/** The API's view: without the phone number and the secret. */
export function publicMember(m: MemberRecord): Member {
  return {
    id: m.id,
    memberNumber: m.memberNumber,
    displayName: m.displayName,
    phoneMasked: m.phoneMasked,
    tierId: m.tierId,
    familyId: m.familyId,
    disabled: m.disabled,
    createdAt: m.createdAt,
  };
}
