import {
  ANNOUNCER_FIELDS,
  type AnnouncerField,
  type FieldValues,
  TIME_OF_DAY_PATTERN,
} from '../../../../protocol/api/announcer.ts';
import { money, parseYuan } from '../../app/format.ts';

/** What the person types for each field, as text (prices in yuan); turned into FieldValues when sent. */
export type FieldDrafts = Partial<Record<AnnouncerField, string>>;

export const FIELD_LABELS: Record<AnnouncerField, string> = {
  product: 'Product',
  price: 'Price (¥)',
  promotion: 'Promotion',
  time: 'Time (HH:MM)',
  store: 'Store',
  points: 'Points',
};

export function isField(name: string): name is AnnouncerField {
  return Object.hasOwn(ANNOUNCER_FIELDS, name);
}

/**
 * The fields a template's texts name, in order of first appearance (`{{` and `}}` are literal braces). Only to lay
 * out the inputs while typing: the fleet parses the template and answers TEMPLATE_FIELD_UNKNOWN with the position.
 */
export function fieldsOf(...texts: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    for (const m of (t ?? '')
      .replaceAll('{{', '')
      .replaceAll('}}', '')
      .matchAll(/\{([^{}]*)\}/g)) {
      const name = (m[1] ?? '').trim();
      if (!out.includes(name)) out.push(name);
    }
  }
  return out;
}

/** The drafts as FieldValues, or the first field that does not parse (its label) to show before sending. */
export function toFieldValues(drafts: FieldDrafts): { values: FieldValues } | { invalid: AnnouncerField } {
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(drafts) as [AnnouncerField, string | undefined][]) {
    const text = raw?.trim();
    if (!text) continue;
    const kind = ANNOUNCER_FIELDS[name];
    if (kind === 'fen') {
      const fen = parseYuan(text);
      if (fen === null) return { invalid: name };
      values[name] = fen;
    } else if (kind === 'count') {
      if (!/^\d{1,10}$/.test(text)) return { invalid: name };
      values[name] = Number(text);
    } else if (kind === 'time') {
      if (!new RegExp(TIME_OF_DAY_PATTERN).test(text)) return { invalid: name };
      values[name] = text;
    } else values[name] = text;
  }
  return { values: values as FieldValues };
}

/** FieldValues (a template's defaults) as drafts. */
export function toDrafts(values: FieldValues | undefined): FieldDrafts {
  const out: FieldDrafts = {};
  for (const [name, v] of Object.entries(values ?? {}) as [AnnouncerField, unknown][]) {
    if (v === undefined || v === null) continue;
    if (ANNOUNCER_FIELDS[name] === 'fen') out[name] = money(v as number).replace('¥', '');
    else if (typeof v === 'object') out[name] = (v as { zh: string; en: string }).zh;
    else out[name] = String(v);
  }
  return out;
}
