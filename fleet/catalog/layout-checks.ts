import { VariableMeasureLayoutsSchema } from '../../protocol/api/catalog.ts';
import type { VariableMeasureLayout } from '../../protocol/commerce/catalog.ts';
import { type FieldProblem, schemaChecker } from './schema-problems.ts';

const layoutsShape = schemaChecker(VariableMeasureLayoutsSchema);

/**
 * The chain's variable-measure layouts as a whole. A label is an EAN-13: digits 0-1 are the GS1 prefix (20-29,
 * restricted circulation, GS1 General Specifications §2.1.11) and digit 12 the EAN check digit, so the item
 * reference, the value and the value's own check digit sit in digits 2-11 without overlapping; GS1 defines the
 * price/weight check digit for 4- and 5-digit values only (§7.9.2-7.9.4). A prefix belongs to one layout.
 */
export function layoutProblems(value: unknown): FieldProblem[] {
  const shape = layoutsShape(value);
  if (shape.length > 0) return shape;
  const layouts = value as VariableMeasureLayout[];
  const problems: FieldProblem[] = [];
  const prefixOwner = new Map<string, string>();
  const ids = new Set<string>();
  layouts.forEach((layout, i) => {
    const at = (field: string, message: string) => problems.push({ field: `${i}.${field}`, message });
    if (ids.has(layout.id)) at('id', `layout '${layout.id}' is listed twice`);
    ids.add(layout.id);
    for (const prefix of layout.prefixes) {
      const owner = prefixOwner.get(prefix);
      if (owner !== undefined) at('prefixes', `prefix ${prefix} is also in layout '${owner}'`);
      else prefixOwner.set(prefix, layout.id);
    }
    const spans: [string, number, number][] = [
      ['itemRef', layout.itemRef.start, layout.itemRef.length],
      ['value', layout.value.start, layout.value.length],
    ];
    if (layout.valueCheckDigit !== null) {
      spans.push(['valueCheckDigit', layout.valueCheckDigit, 1]);
      if (layout.value.length < 4 || layout.value.length > 5) {
        at('valueCheckDigit', 'a price/weight check digit guards a 4- or 5-digit value only');
      }
    }
    for (const [field, start, length] of spans) {
      if (start < 2 || start + length > 12)
        at(field, 'must lie within digits 2-11 (after the prefix, before the check digit)');
    }
    for (let a = 0; a < spans.length; a++) {
      for (let b = a + 1; b < spans.length; b++) {
        const [fa, sa, la] = spans[a] as [string, number, number];
        const [fb, sb, lb] = spans[b] as [string, number, number];
        if (sa < sb + lb && sb < sa + la) at(fb, `overlaps ${fa}`);
      }
    }
  });
  return problems;
}
