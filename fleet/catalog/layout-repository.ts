import type { VariableMeasureLayout } from '../../protocol/commerce/catalog.ts';
import type { Database } from '../storage/database.ts';

/** The chain's variable-measure label layouts (migration 14), replaced as a whole, kept in the given order. */
export class LayoutRepository {
  constructor(private readonly db: Database) {}

  list(): VariableMeasureLayout[] {
    return (
      this.db.prepare('SELECT layout FROM variable_measure_layouts ORDER BY position').all() as { layout: string }[]
    ).map((r) => JSON.parse(r.layout) as VariableMeasureLayout);
  }

  replace(layouts: readonly VariableMeasureLayout[], by: string, now: number): void {
    this.db.prepare('DELETE FROM variable_measure_layouts').run();
    const insert = this.db.prepare(
      'INSERT INTO variable_measure_layouts (id, position, layout, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
    );
    layouts.forEach((layout, i) => {
      insert.run(layout.id, i, JSON.stringify(layout), now, by);
    });
  }
}
