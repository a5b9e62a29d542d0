import type { AnnouncerLanguage } from '../../protocol/api/announcer.ts';
import { enDecimal, enInteger, enPrice, enTime } from './en-readings.ts';
import { zhDecimal, zhDigits, zhInteger, zhPrice, zhTime } from './zh-readings.ts';

/**
 * Numbers inside free text (a product name, a promotion's label, a template's own words) rewritten as words, so
 * the synthesiser never reads digits by itself: 买2送1 → 买二送一, 2瓶 → 两瓶, 8.8折 → 八八折, ¥9.9 → 九块九, 330ml →
 * 三百三十毫升, 15:30 → 下午三点半, 50% → 百分之五十; "Buy 2 get 1" → "Buy two get one", "8折" → "twenty percent off".
 */

const NUMBER = String.raw`\d{1,3}(?:,\d{3})+|\d+`;
const TOKEN = new RegExp(
  String.raw`(?<sym>[¥￥])\s?(?<py>${NUMBER})(?:\.(?<pf>\d{1,2}))?(?!\d)` +
    String.raw`|(?<![\d.])(?<th>[01]?\d|2[0-3])[:：](?<tm>[0-5]\d)(?!\d)` +
    String.raw`|(?<n>${NUMBER})(?:\.(?<f>\d+))?(?<unit>元|块|%|％|折|年|(?:kg|ml|g|l)(?![a-z]))?`,
  'giu',
);

/** A lone 2 before one of these is 两 (两瓶, 两点); elsewhere a lone 2 is 二 (买二送一). */
const MEASURE_WORDS = new Set([...'个件瓶包盒袋斤克箱支只份杯罐桶听条双把张片粒颗位次天点周样']);

const ZH_UNITS: Record<string, string> = { kg: '公斤', g: '克', ml: '毫升', l: '升' };
const EN_UNITS: Record<string, [string, string]> = {
  kg: ['kilogram', 'kilograms'],
  g: ['gram', 'grams'],
  ml: ['millilitre', 'millilitres'],
  l: ['litre', 'litres'],
};

function wholeOf(digits: string): number {
  return Number(digits.replaceAll(',', ''));
}

/** Yuan and up to two decimals (9.9 → 990) as integer fen, without a float. */
export function fenOf(yuanDigits: string, fraction: string | undefined): number {
  return wholeOf(yuanDigits) * 100 + Number((fraction ?? '').padEnd(2, '0'));
}

/** 8折 / 8.8折 / 75折 as the fraction of the price paid, in tenths: 8, 8.8, 7.5. */
function discountTenths(whole: string, fraction: string | undefined): number {
  if (fraction !== undefined) return Number(`${whole}.${fraction}`);
  return whole.length === 2 ? Number(`${whole[0]}.${whole[1]}`) : Number(whole);
}

type Groups = Record<string, string | undefined>;

function zhToken(g: Groups, next: string, prev: string): string {
  if (g.sym) return zhPrice(fenOf(g.py as string, g.pf));
  if (g.th !== undefined) return zhTime(Number(g.th), Number(g.tm));
  const whole = g.n as string;
  const unit = g.unit?.toLowerCase();
  switch (unit) {
    case '元':
    case '块':
      return zhPrice(fenOf(whole, g.f));
    case '%':
    case '％':
      return `百分之${zhDecimal(wholeOf(whole), g.f ?? '')}`;
    case '折':
      // 8.8折 is read digit by digit (八八折), as 75折 (七五折).
      return `${zhDigits(String(discountTenths(whole, g.f)).replace('.', ''))}折`;
    case '年':
      return whole.length === 4 && g.f === undefined ? `${zhDigits(whole)}年` : `${zhInteger(wholeOf(whole))}年`;
    case undefined:
      if (g.f !== undefined) return zhDecimal(wholeOf(whole), g.f);
      return zhInteger(wholeOf(whole), MEASURE_WORDS.has(next) && prev !== '第');
    default:
      return `${g.f !== undefined ? zhDecimal(wholeOf(whole), g.f) : zhInteger(wholeOf(whole))}${ZH_UNITS[unit]}`;
  }
}

function enToken(g: Groups): string {
  if (g.sym) return enPrice(fenOf(g.py as string, g.pf));
  if (g.th !== undefined) return enTime(Number(g.th), Number(g.tm));
  const whole = g.n as string;
  const unit = g.unit?.toLowerCase();
  const number = g.f !== undefined ? enDecimal(wholeOf(whole), g.f) : enInteger(wholeOf(whole));
  switch (unit) {
    case '元':
    case '块':
      return enPrice(fenOf(whole, g.f));
    case '%':
    case '％':
      return `${number} percent`;
    case '折':
      return `${enInteger(Math.round(100 - discountTenths(whole, g.f) * 10))} percent off`;
    case '年':
    case undefined:
      return number;
    default: {
      const [one, many] = EN_UNITS[unit] as [string, string];
      return `${number} ${number === 'one' ? one : many}`;
    }
  }
}

/** The text with every number, price, time and percentage as words in `language`; a stray ¥ is dropped. */
export function spokenText(text: string, language: AnnouncerLanguage): string {
  const out = text.replace(TOKEN, (...args) => {
    const offset = args[args.length - 3] as number;
    const whole = args[0] as string;
    const groups = args[args.length - 1] as Groups;
    const next = text[offset + whole.length] ?? '';
    const prev = text[offset - 1] ?? '';
    const words = language === 'zh' ? zhToken(groups, next, prev) : enToken(groups);
    // English words need spaces where Chinese text had none ("买2送1" in an English text stays readable).
    return language === 'en' && /[\p{L}]/u.test(prev) ? ` ${words}` : words;
  });
  return out.replace(/[¥￥]\s?/g, '');
}
