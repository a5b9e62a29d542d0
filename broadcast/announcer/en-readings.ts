/**
 * How numbers, prices and times are read aloud in English. eSpeak reads digits itself, but badly for a shop: "¥9.90"
 * comes out as "yen nine point nine zero" and "09:05" as "zero nine zero five". The readings chosen:
 *
 * - Prices name the currency once and read the fen as a shelf tag does: ¥9.90 → "nine yuan ninety", ¥9.09 → "nine
 *   yuan oh nine", ¥12.00 → "twelve yuan", ¥0.50 → "fifty fen", ¥1 → "one yuan". The bare retail "nine ninety"
 *   was not chosen: an English-speaking shopper in China does not know which currency or scale it is in.
 * - Whole numbers are British: "one thousand and five", "two hundred and twelve".
 * - Times are 12-hour: 15:30 → "three thirty p.m.", 09:05 → "nine oh five a.m.", 10:00 → "ten a.m.",
 *   12:00 → "twelve noon", 00:00 → "midnight".
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
] as const;
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'] as const;

function belowHundred(n: number): string {
  if (n < 20) return ONES[n] as string;
  const tens = TENS[Math.floor(n / 10)] as string;
  return n % 10 === 0 ? tens : `${tens}-${ONES[n % 10]}`;
}

function belowThousand(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds === 0) return belowHundred(rest);
  return rest === 0 ? `${ONES[hundreds]} hundred` : `${ONES[hundreds]} hundred and ${belowHundred(rest)}`;
}

/** A whole number in words: 1005 → "one thousand and five", 2000000 → "two million". */
export function enInteger(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole number: ${n}`);
  if (n === 0) return 'zero';
  const groups: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 1000)) groups.push(rest % 1000);
  const words: string[] = [];
  for (let g = groups.length - 1; g >= 0; g--) {
    const value = groups[g] as number;
    if (value === 0) continue;
    // "one thousand and five": the last group takes "and" when it has no hundreds and something came before.
    const text = g === 0 && words.length > 0 && value < 100 ? `and ${belowHundred(value)}` : belowThousand(value);
    words.push(g === 0 ? text : `${text} ${SCALES[g]}`);
  }
  return words.join(' ');
}

/** Digits one by one: "oh" for zero after the first (a code, a year read plainly). */
export function enDigits(digits: string): string {
  return [...digits].map((d) => ONES[Number(d)]).join(' ');
}

/** A decimal: 1.5 → "one point five". */
export function enDecimal(whole: number, fraction: string): string {
  return fraction ? `${enInteger(whole)} point ${enDigits(fraction)}` : enInteger(whole);
}

/** A price in integer fen: 990 → "nine yuan ninety", 909 → "nine yuan oh nine", 50 → "fifty fen". */
export function enPrice(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const rest = fen % 100;
  if (yuan === 0) return rest === 0 ? 'zero yuan' : `${enInteger(rest)} fen`;
  const whole = `${enInteger(yuan)} yuan`;
  if (rest === 0) return whole;
  return rest < 10 ? `${whole} oh ${ONES[rest]}` : `${whole} ${belowHundred(rest)}`;
}

/** A time of day (24 h) in the 12-hour reading of a shop: 15:30 → "three thirty p.m.", 12:00 → "twelve noon". */
export function enTime(hour: number, minute: number): string {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23 || !Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new RangeError(`not a time of day: ${hour}:${minute}`);
  }
  if (minute === 0 && hour === 0) return 'midnight';
  if (minute === 0 && hour === 12) return 'twelve noon';
  const h12 = hour % 12 || 12;
  const suffix = hour < 12 ? 'a.m.' : 'p.m.';
  const minutes = minute === 0 ? '' : minute < 10 ? ` oh ${ONES[minute]}` : ` ${belowHundred(minute)}`;
  return `${ONES[h12]}${minutes} ${suffix}`;
}
