import type { Role } from '../../protocol/api/roles.ts';
import type { Database } from '../storage/database.ts';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  storeIds: string[];
  regions: string[];
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  store_ids: string;
  regions: string;
  password_hash: string;
  must_change_password: number;
  disabled: number;
  created_at: number;
  last_login_at: number | null;
}

export type NewUser = Omit<User, 'createdAt' | 'lastLoginAt'> & { passwordHash: string };
export type UserChanges = Partial<Pick<User, 'displayName' | 'role' | 'storeIds' | 'regions' | 'disabled'>>;

/** People who run the fleet. The password hash never leaves this module except to the verifier. */
export class UserRepository {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  insert(user: NewUser): User {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO users (id, username, display_name, role, store_ids, regions, password_hash,
           must_change_password, disabled, created_at, updated_at)
         VALUES (@id, @username, @displayName, @role, @storeIds, @regions, @passwordHash, @must, @disabled, @now, @now)`,
      )
      .run({
        ...user,
        storeIds: JSON.stringify(user.storeIds),
        regions: JSON.stringify(user.regions),
        must: user.mustChangePassword ? 1 : 0,
        disabled: user.disabled ? 1 : 0,
        now,
      });
    return this.get(user.id)!;
  }

  get(id: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  /** The user and their password hash, by name (case-insensitive). */
  findForLogin(username: string): { user: User; passwordHash: string } | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row && { user: toUser(row), passwordHash: row.password_hash };
  }

  passwordHashOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as
      | { password_hash: string }
      | undefined;
    return row?.password_hash;
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  update(id: string, changes: UserChanges): User | undefined {
    const current = this.get(id);
    if (!current) return undefined;
    const next = { ...current, ...changes };
    this.db
      .prepare(
        `UPDATE users SET display_name = ?, role = ?, store_ids = ?, regions = ?, disabled = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(
        next.displayName,
        next.role,
        JSON.stringify(next.storeIds),
        JSON.stringify(next.regions),
        next.disabled ? 1 : 0,
        this.now(),
        id,
      );
    return this.get(id);
  }

  setPassword(id: string, passwordHash: string, mustChange: boolean): void {
    this.db
      .prepare('UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?')
      .run(passwordHash, mustChange ? 1 : 0, this.now(), id);
  }

  touchLogin(id: string, at: number): void {
    this.db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?').run(at, id);
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    storeIds: JSON.parse(row.store_ids) as string[],
    regions: JSON.parse(row.regions) as string[],
    mustChangePassword: row.must_change_password === 1,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}
