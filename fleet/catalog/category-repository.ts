import type { Category } from '../../protocol/commerce/catalog.ts';
import type { Database } from '../storage/database.ts';

interface CategoryRow {
  id: string;
  parent_id: string | null;
  name_zh: string;
  name_en: string;
}

/** The category tree (migration 13). Callers check the tree's rules (catalog-checks); this only stores. */
export class CategoryRepository {
  constructor(private readonly db: Database) {}

  list(): Category[] {
    return (this.db.prepare('SELECT * FROM categories ORDER BY id').all() as CategoryRow[]).map(toCategory);
  }

  get(id: string): Category | undefined {
    const row = this.db.prepare('SELECT * FROM categories WHERE id = ?').get(id) as CategoryRow | undefined;
    return row && toCategory(row);
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM categories WHERE id = ?').get(id) !== undefined;
  }

  /** Inserts or replaces; answers whether it was new. */
  upsert(category: Category, now: number): boolean {
    const existed = this.exists(category.id);
    this.db
      .prepare(
        `INSERT INTO categories (id, parent_id, name_zh, name_en, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET parent_id = excluded.parent_id, name_zh = excluded.name_zh,
           name_en = excluded.name_en, updated_at = excluded.updated_at`,
      )
      .run(category.id, category.parentId, category.name.zh, category.name.en, now);
    return !existed;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM categories WHERE id = ?').run(id).changes > 0;
  }

  /** The category and every category under it. */
  subtree(id: string): string[] {
    return (
      this.db
        .prepare(
          `WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id)
           SELECT id FROM tree`,
        )
        .all(id) as { id: string }[]
    ).map((r) => r.id);
  }

  childCount(id: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM categories WHERE parent_id = ?').get(id) as { n: number }).n;
  }
}

function toCategory(row: CategoryRow): Category {
  return { id: row.id, parentId: row.parent_id, name: { zh: row.name_zh, en: row.name_en } };
}
