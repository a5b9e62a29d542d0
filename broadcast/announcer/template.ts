import {
  ANNOUNCER_FIELDS,
  type AnnouncerField,
  type AnnouncerLanguage,
  type FieldValues,
  TIME_OF_DAY_PATTERN,
} from '../../protocol/api/announcer.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import { FleetError } from '../../protocol/errors.ts';
import { enInteger, enPrice, enTime } from './en-readings.ts';
import { spokenText } from './spoken-text.ts';
import { zhInteger, zhPrice, zhTime } from './zh-readings.ts';

/**
 * The template language: text with `{field}` references (`{product}`, `{price}`, `{promotion}`, `{time}`,
 * `{store}`, `{points}`: protocol/api/announcer.ts), `{{` and `}}` for literal braces. Parsed once; a parsed
 * template renders any number of times.
 */

export type TemplatePart = { literal: string } | { field: AnnouncerField; position: number };

export interface ParsedTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** The fields named, in order of first appearance. */
  readonly fields: readonly AnnouncerField[];
}

function isField(name: string): name is AnnouncerField {
  return Object.hasOwn(ANNOUNCER_FIELDS, name);
}

/**
 * TEMPLATE_FIELD_UNKNOWN (details: `{ field, position }`, the 0-based index of its `{`) for a field the announcer
 * does not know, an empty `{}`, an unclosed `{` or a lone `}`.
 */
export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const fields: AnnouncerField[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c === '}') {
      throw new FleetError('TEMPLATE_FIELD_UNKNOWN', `a '}' at ${i} closes no field (write '}}' for the character)`, {
        field: '}',
        position: i,
      });
    }
    if (c !== '{') {
      literal += c;
      i++;
      continue;
    }
    const end = source.indexOf('}', i + 1);
    const name = (end === -1 ? source.slice(i + 1) : source.slice(i + 1, end)).trim();
    if (end === -1 || !isField(name)) {
      const known = Object.keys(ANNOUNCER_FIELDS).join(', ');
      const what = end === -1 ? `an unclosed '{' at ${i}` : `unknown field '{${name}}' at ${i}`;
      throw new FleetError('TEMPLATE_FIELD_UNKNOWN', `${what}; the fields are ${known} ('{{' for a brace)`, {
        field: name,
        position: i,
      });
    }
    if (literal) parts.push({ literal });
    literal = '';
    parts.push({ field: name, position: i });
    if (!fields.includes(name)) fields.push(name);
    i = end + 1;
  }
  if (literal) parts.push({ literal });
  return { source, parts, fields };
}

function textOf(value: unknown, language: AnnouncerLanguage): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (value && typeof value === 'object') {
    const text = (value as Partial<LocalizedText>)[language];
    return typeof text === 'string' && text.trim() ? text.trim() : undefined;
  }
  return undefined;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** One field's words in `language`, or undefined when its value is absent or not of the field's kind. */
function fieldWords(field: AnnouncerField, value: unknown, language: AnnouncerLanguage): string | undefined {
  switch (ANNOUNCER_FIELDS[field]) {
    case 'text': {
      const text = textOf(value, language);
      return text === undefined ? undefined : spokenText(text, language);
    }
    case 'fen':
      if (!isCount(value)) return undefined;
      return language === 'zh' ? zhPrice(value) : enPrice(value);
    case 'count':
      if (!isCount(value)) return undefined;
      return language === 'zh' ? zhInteger(value) : enInteger(value);
    case 'time': {
      if (typeof value !== 'string' || !new RegExp(TIME_OF_DAY_PATTERN).test(value)) return undefined;
      const [h, m] = value.split(':').map(Number) as [number, number];
      return language === 'zh' ? zhTime(h, m) : enTime(h, m);
    }
  }
}

/**
 * The text to speak: literals and field values with their numbers as words. A price's own currency marks around
 * the field are dropped (`¥{price}`, `{price}元` would read the currency twice). TEMPLATE_FIELD_MISSING (details:
 * `{ fields }`, every one at once) when a named field has no value, or a value not of its kind.
 */
export function renderTemplate(template: ParsedTemplate, values: FieldValues, language: AnnouncerLanguage): string {
  const missing = template.fields.filter(
    (f) => fieldWords(f, (values as Record<string, unknown>)[f], language) === undefined,
  );
  if (missing.length > 0) {
    throw new FleetError(
      'TEMPLATE_FIELD_MISSING',
      `no ${language} value of the right kind for ${missing.map((f) => `{${f}}`).join(', ')}`,
      { fields: missing },
    );
  }
  const pieces: string[] = [];
  let afterPrice = false;
  for (const part of template.parts) {
    if ('literal' in part) {
      const literal = afterPrice ? part.literal.replace(/^\s*(元|块钱|块|yuan\b)/i, '') : part.literal;
      pieces.push(spokenText(literal, language));
      afterPrice = false;
      continue;
    }
    if (ANNOUNCER_FIELDS[part.field] === 'fen' && pieces.length > 0) {
      pieces[pieces.length - 1] = (pieces[pieces.length - 1] as string).replace(/[¥￥]\s*$/, '');
    }
    const words = fieldWords(part.field, (values as Record<string, unknown>)[part.field], language) as string;
    pieces.push(words);
    afterPrice = ANNOUNCER_FIELDS[part.field] === 'fen';
  }
  // A reading that ends in "p.m." before the template's full stop would read the stop twice.
  return pieces
    .join('')
    .replace(/\s+/g, ' ')
    .replace(/\.{2,}/g, '.')
    .trim();
}
