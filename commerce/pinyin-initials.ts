/**
 * Pinyin initials of a Chinese name ("富士苹果" → "fspg"): what a Chinese shopper types on the cart screen's letter
 * keypad to find produce (the screen has no IME, and initials are how pinyin search boxes in Chinese shops work).
 *
 * No dictionary: Unicode CLDR's pinyin collation (`zh`, the default for Chinese in ICU, which Node ships in full)
 * sorts Han characters by their pinyin and puts an index boundary, U+FDD0 followed by the letter, before each letter's
 * first syllable (CLDR common/collation/zh.xml: `&[last regular] <'\uFDD0A' # INDEX A`). A character's initial is the
 * last boundary it sorts after. I, U and V begin no pinyin syllable and have no boundary. A character with several
 * readings sorts under one of them; where a produce name reads it another way (番茄 fānqié, filed under jiā) the
 * other initial comes from `OTHER_READINGS`, and the name gets both spellings. Full pinyin ("pingguo") needs a
 * reading table (a dependency such as pinyin-pro): not supported here.
 */
const collator = new Intl.Collator('zh-u-co-pinyin');

const INITIALS = 'abcdefghjklmnopqrstwxyz';
const BOUNDARIES = [...INITIALS].map((letter) => `\uFDD0${letter.toUpperCase()}`);
const HAN = /\p{Script=Han}/u;
const LATIN_OR_DIGIT = /[a-z0-9]/;
/** Produce names' readings that CLDR files under another initial: 茄子 qiézi, 芥蓝 gàilán, 长豆角 chángdòujiǎo, 人参 rénshēn, 荸荠 bíqí. */
const OTHER_READINGS: Readonly<Record<string, string>> = { 茄: 'q', 芥: 'g', 长: 'c', 参: 's', 荠: 'q' };
/** A name with many such characters keeps its first spellings: a search key, not a dictionary. */
const MAX_SPELLINGS = 8;

/**
 * Whether this runtime's ICU has the pinyin collation: a Node built with small-icu, or without Intl, falls back to
 * the root order, where the boundaries mean nothing. Then Han characters get no initial (search by characters,
 * English and PLU still works) rather than wrong ones.
 */
export const PINYIN_COLLATION_AVAILABLE =
  collator.resolvedOptions().locale.startsWith('zh') &&
  collator.compare(BOUNDARIES[0] as string, '阿') < 0 &&
  collator.compare('阿', BOUNDARIES[1] as string) < 0 &&
  collator.compare(BOUNDARIES.at(-1) as string, '座') < 0;

function initialOf(char: string): string {
  if (!HAN.test(char)) return '';
  let initial = '';
  for (let i = 0; i < BOUNDARIES.length; i++) {
    if (collator.compare(char, BOUNDARIES[i] as string) < 0) break;
    initial = INITIALS[i] as string;
  }
  return initial;
}

/**
 * The initials of `text`: one letter per Han character, ASCII letters and digits kept (lower-cased), everything else
 * dropped: "鲜牛奶 1L" → ["xnn1l"]; "番茄" → ["fj", "fq"] (CLDR's reading first). Without a pinyin collation in the
 * runtime, Han characters give nothing.
 */
export function pinyinInitials(text: string): string[] {
  let spellings = [''];
  for (const char of text.toLowerCase()) {
    if (LATIN_OR_DIGIT.test(char)) {
      spellings = spellings.map((s) => s + char);
    } else if (PINYIN_COLLATION_AVAILABLE) {
      const initial = initialOf(char);
      const other = OTHER_READINGS[char];
      const next = spellings.map((s) => s + initial);
      if (other && other !== initial) next.push(...spellings.map((s) => s + other));
      spellings = next.slice(0, MAX_SPELLINGS);
    }
  }
  return spellings;
}
