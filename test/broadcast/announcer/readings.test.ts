import assert from 'node:assert/strict';
import { enInteger, enPrice, enTime } from '../../../broadcast/announcer/en-readings.ts';
import { spokenText } from '../../../broadcast/announcer/spoken-text.ts';
import { zhInteger, zhPrice, zhTime } from '../../../broadcast/announcer/zh-readings.ts';

/** The announcer's voice: every reading a shopper hears, as a table (fen → 中文, English). */
const PRICES: [fen: number, zh: string, en: string][] = [
  [990, '九块九', 'nine yuan ninety'],
  [909, '九块零九分', 'nine yuan oh nine'],
  [50, '五毛', 'fifty fen'],
  [1200, '十二块', 'twelve yuan'],
  [10000, '一百块', 'one hundred yuan'],
  [100550, '一千零五块五', 'one thousand and five yuan fifty'],
  [200, '两块', 'two yuan'],
  [2020, '二十块两毛', 'twenty yuan twenty'],
  [999, '九块九毛九', 'nine yuan ninety-nine'],
  [920, '九块两毛', 'nine yuan twenty'],
  [1000, '十块', 'ten yuan'],
  [1100, '十一块', 'eleven yuan'],
  [1250, '十二块五', 'twelve yuan fifty'],
  [2200, '二十二块', 'twenty-two yuan'],
  [11000, '一百一十块', 'one hundred and ten yuan'],
  [10200, '一百零二块', 'one hundred and two yuan'],
  [20000, '两百块', 'two hundred yuan'],
  [200000, '两千块', 'two thousand yuan'],
  [2000000, '两万块', 'twenty thousand yuan'],
  [1200000, '一万两千块', 'twelve thousand yuan'],
  [1000500, '一万零五块', 'ten thousand and five yuan'],
  [5, '五分', 'five fen'],
  [2, '两分', 'two fen'],
  [22, '两毛二', 'twenty-two fen'],
  [20, '两毛', 'twenty fen'],
  [99, '九毛九', 'ninety-nine fen'],
  [222, '两块两毛二', 'two yuan twenty-two'],
  [105, '一块零五分', 'one yuan oh five'],
  [100, '一块', 'one yuan'],
  [0, '零块', 'zero yuan'],
];

const TIMES: [hhmm: string, zh: string, en: string][] = [
  ['15:30', '下午三点半', 'three thirty p.m.'],
  ['09:05', '上午九点零五分', 'nine oh five a.m.'],
  ['12:00', '中午十二点', 'twelve noon'],
  ['12:30', '中午十二点半', 'twelve thirty p.m.'],
  ['14:00', '下午两点', 'two p.m.'],
  ['14:20', '下午两点二十分', 'two twenty p.m.'],
  ['08:00', '早上八点', 'eight a.m.'],
  ['10:00', '上午十点', 'ten a.m.'],
  ['11:45', '上午十一点四十五分', 'eleven forty-five a.m.'],
  ['18:10', '晚上六点十分', 'six ten p.m.'],
  ['22:02', '晚上十点零二分', 'ten oh two p.m.'],
  ['00:00', '凌晨零点', 'midnight'],
  ['00:15', '凌晨零点十五分', 'twelve fifteen a.m.'],
  ['04:30', '凌晨四点半', 'four thirty a.m.'],
];

const INTEGERS: [n: number, zh: string, en: string][] = [
  [0, '零', 'zero'],
  [1, '一', 'one'],
  [2, '两', 'two'],
  [10, '十', 'ten'],
  [12, '十二', 'twelve'],
  [20, '二十', 'twenty'],
  [22, '二十二', 'twenty-two'],
  [102, '一百零二', 'one hundred and two'],
  [110, '一百一十', 'one hundred and ten'],
  [200, '两百', 'two hundred'],
  [1005, '一千零五', 'one thousand and five'],
  [1050, '一千零五十', 'one thousand and fifty'],
  [2002, '两千零二', 'two thousand and two'],
  [10005, '一万零五', 'ten thousand and five'],
  [12000, '一万两千', 'twelve thousand'],
  [20000, '两万', 'twenty thousand'],
  [100000, '十万', 'one hundred thousand'],
  [100010, '十万零一十', 'one hundred thousand and ten'],
  [100000000, '一亿', 'one hundred million'],
  [100010000, '一亿零一万', 'one hundred million ten thousand'],
];

/** Numbers inside names, promotions and the template's own words. */
const TEXTS: [text: string, zh: string, en: string][] = [
  ['买2送1', '买二送一', '买 two送 one'],
  ['2瓶装', '两瓶装', 'two瓶装'],
  ['第2件半价', '第二件半价', '第 two件半价'],
  ['12瓶', '十二瓶', 'twelve瓶'],
  ['8折', '八折', 'twenty percent off'],
  ['8.8折', '八八折', 'twelve percent off'],
  ['75折', '七五折', 'twenty-five percent off'],
  ['¥9.9', '九块九', 'nine yuan ninety'],
  ['￥1,005.50', '一千零五块五', 'one thousand and five yuan fifty'],
  ['9.9元', '九块九', 'nine yuan ninety'],
  ['满200减30', '满两百减三十', '满 two hundred减 thirty'],
  ['330ml', '三百三十毫升', 'three hundred and thirty millilitres'],
  ['1.5L', '一点五升', 'one point five litres'],
  ['1kg', '一公斤', 'one kilogram'],
  ['500g', '五百克', 'five hundred grams'],
  ['15:30开始', '下午三点半开始', 'three thirty p.m.开始'],
  ['全场50%', '全场百分之五十', '全场 fifty percent'],
  ['2026年', '二零二六年', 'two thousand and twenty-six'],
  ['Buy 2 get 1 free', 'Buy 二 get 一 free', 'Buy two get one free'],
  ['2 for ¥10', '二 for 十块', 'two for ten yuan'],
  ['Open until 22:00', 'Open until 晚上十点', 'Open until ten p.m.'],
  ['没有数字', '没有数字', '没有数字'],
];

describe('announcer readings (the voice: zh and en)', () => {
  for (const [fen, zh, en] of PRICES) {
    it(`price ${fen} fen → ${zh} / ${en}`, () => {
      assert.equal(zhPrice(fen), zh);
      assert.equal(enPrice(fen), en);
    });
  }
  for (const [hhmm, zh, en] of TIMES) {
    it(`time ${hhmm} → ${zh} / ${en}`, () => {
      const [h, m] = hhmm.split(':').map(Number) as [number, number];
      assert.equal(zhTime(h, m), zh);
      assert.equal(enTime(h, m), en);
    });
  }
  for (const [n, zh, en] of INTEGERS) {
    it(`number ${n} → ${zh} / ${en}`, () => {
      assert.equal(zhInteger(n), zh);
      assert.equal(enInteger(n), en);
    });
  }
  it('a lone 2 is 二 when not counted (a name, an ordinal), 两 before a measure word', () => {
    assert.equal(zhInteger(2, false), '二');
    assert.equal(zhInteger(2, true), '两');
    // Only the lone 2 changes: a 2 of a longer number reads by its place.
    assert.equal(zhInteger(200, false), '两百');
    assert.equal(zhInteger(12, false), '十二');
  });
  for (const [text, zh, en] of TEXTS) {
    it(`text "${text}" → ${zh} / ${en}`, () => {
      assert.equal(spokenText(text, 'zh'), zh);
      assert.equal(spokenText(text, 'en'), en);
    });
  }
  it('no reading leaves a digit for the synthesiser, for every price up to ¥100 and every minute of the day', () => {
    for (let fen = 0; fen <= 10_000; fen++) {
      assert.doesNotMatch(zhPrice(fen), /\d/, `${fen}`);
      assert.doesNotMatch(enPrice(fen), /\d/, `${fen}`);
    }
    for (let minute = 0; minute < 24 * 60; minute++) {
      const h = Math.floor(minute / 60);
      const m = minute % 60;
      assert.match(zhTime(h, m), /^(凌晨|早上|上午|中午|下午|晚上)[零一两二三四五六七八九十]+点/);
      assert.match(enTime(h, m), /^([a-z-]+ )+(a\.m\.|p\.m\.)$|^midnight$|^twelve noon$/);
    }
  });
  it('refuses what is not an amount or a time (RangeError: the template checks kinds first)', () => {
    assert.throws(() => zhPrice(-1), RangeError);
    assert.throws(() => enPrice(1.5), RangeError);
    assert.throws(() => zhTime(24, 0), RangeError);
    assert.throws(() => enTime(12, 60), RangeError);
  });
});
