/**
 * How numbers, prices and times are read aloud in Mandarin, the way a store announcer says them (not the way a
 * cheque writes them). The rules, from 现代汉语 usage:
 *
 * - 两 vs 二: a number counted on its own or before a unit of magnitude ≥ 百 is 两 (两块, 两百, 两千, 两万, 两点);
 *   in the tens place and as the last digit of a longer number it is 二 (二十, 十二, 一百零二). Before a measure word
 *   a lone 2 is 两 (两瓶); a 2 that is a name or an ordinal is 二 (买二送一, 第二件).
 * - 零: one 零 for every run of zeros inside a number (一千零五, 一万零五十), none at the end (一千五 is not said for 1500:
 *   the cheque form 一千五百 is kept so the magnitude is never lost).
 * - 十: 10–19 start with 十, not 一十 (十二块), except inside a longer number (一百一十块).
 * - Prices: 块 for yuan, 毛 for jiao, 分 for fen. A final 毛 is dropped (九块九, 一千零五块五), a final 分 too
 *   (九块九毛九); jiao 0 with fen is 零…分 (九块零九分). A final 2 jiao keeps its unit, as 两毛 (二十块两毛): 块二 at the
 *   end is heard as a whole-yuan price's tail in a noisy store.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;
const SMALL_UNITS = ['', '十', '百', '千'] as const;

function digit(d: number): string {
  return DIGITS[d] as string;
}

/** 0–9999 in the cheque form, 零 for inner zero runs, no trailing 零; a leading 2 before 百/千 is 两. */
function belowTenThousand(n: number, wholeNumber: boolean): string {
  const digits = [Math.floor(n / 1000) % 10, Math.floor(n / 100) % 10, Math.floor(n / 10) % 10, n % 10];
  let out = '';
  let pendingZero = false;
  let started = false;
  for (let i = 0; i < 4; i++) {
    const d = digits[i] as number;
    const unit = SMALL_UNITS[3 - i] as string;
    if (d === 0) {
      if (started) pendingZero = true;
      continue;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    if (d === 2 && !started && (unit === '百' || unit === '千')) out += '两';
    // 十二, not 一十二, when the tens digit leads the whole number.
    else if (d === 1 && unit === '十' && !started && wholeNumber) out += '';
    else out += digit(d);
    out += unit;
    started = true;
  }
  return out;
}

/**
 * A whole number: a lone 2 is 两 when `counted` (before a measure word, 块 or 点) and 二 otherwise (a name or an
 * ordinal: 买二送一, 第二件); 10 → 十, 200 → 两百, 1005 → 一千零五, 20000 → 两万, 100000000 → 一亿.
 */
export function zhInteger(n: number, counted = true): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole number: ${n}`);
  if (n === 0) return '零';
  if (n === 2) return counted ? '两' : '二';
  const groups: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 10_000)) groups.push(rest % 10_000);
  const bigUnits = ['', '万', '亿', '万亿'];
  let out = '';
  let zeroPending = false;
  for (let g = groups.length - 1; g >= 0; g--) {
    const value = groups[g] as number;
    if (value === 0) {
      if (out) zeroPending = true;
      continue;
    }
    const first = out === '';
    // A group after a higher one that starts with a zero digit (1,0005 → 一万零五) needs its 零.
    if (!first && (zeroPending || value < 1000)) out += '零';
    zeroPending = false;
    // A group that is just 2 before 万/亿 is 两 (两万, 两亿).
    if (value === 2 && g > 0) out += '两';
    else out += belowTenThousand(value, first);
    out += bigUnits[g] as string;
  }
  return out;
}

/** Digits one by one (a year, a code): 2026 → 二零二六. */
export function zhDigits(digits: string): string {
  return [...digits].map((d) => digit(Number(d))).join('');
}

/** A decimal as read: 1.5 → 一点五, 0.25 → 零点二五 (digits after the point one by one). */
export function zhDecimal(whole: number, fraction: string, counted = false): string {
  return `${zhInteger(whole, counted && fraction === '')}${fraction ? `点${zhDigits(fraction)}` : ''}`;
}

/** A price in integer fen as a store announcer says it: 990 → 九块九, 909 → 九块零九分, 50 → 五毛, 200 → 两块. */
export function zhPrice(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  if (fen === 0) return '零块';
  let out = yuan > 0 ? `${zhInteger(yuan)}块` : '';
  if (jiao === 0 && cents === 0) return out;
  if (jiao === 0) return `${out}${yuan > 0 ? '零' : ''}${zhInteger(cents)}分`;
  // 毛 is dropped at the end after 块 (九块九), kept alone (五毛), before 分's digit (九块九毛九) and for a final 2 (两毛).
  const jiaoWord = zhInteger(jiao);
  if (cents > 0) return `${out}${jiaoWord}毛${digit(cents)}`;
  if (yuan === 0 || jiao === 2) return `${out}${jiaoWord}毛`;
  out += digit(jiao);
  return out;
}

/**
 * A time of day (24 h) as said in a store: the part of the day first, 12-hour clock, 半 for :30, 零…分 for :01–:09
 * (09:05 → 上午九点零五分), 两点 for 2 o'clock. Parts: 凌晨 0–4 (00:00 is 凌晨零点), 早上 5–8, 上午 9–11, 中午 12, 下午 13–17, 晚上 18–23.
 */
export function zhTime(hour: number, minute: number): string {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23 || !Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new RangeError(`not a time of day: ${hour}:${minute}`);
  }
  const part =
    hour < 5 ? '凌晨' : hour < 9 ? '早上' : hour < 12 ? '上午' : hour < 13 ? '中午' : hour < 18 ? '下午' : '晚上';
  // Midnight is 零点; noon and the other hours run 1–12.
  const h12 = hour === 0 ? 0 : hour % 12 || 12;
  const hourWord = `${zhInteger(h12)}点`;
  if (minute === 0) return `${part}${hourWord}`;
  if (minute === 30) return `${part}${hourWord}半`;
  if (minute < 10) return `${part}${hourWord}零${digit(minute)}分`;
  return `${part}${hourWord}${zhInteger(minute, false)}分`;
}
