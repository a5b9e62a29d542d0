import assert from 'node:assert/strict';
import { PINYIN_COLLATION_AVAILABLE, pinyinInitials } from '../../commerce/pinyin-initials.ts';

describe('pinyin initials (CLDR pinyin collation, no dictionary)', () => {
  it("is available in this Node's ICU", () => {
    assert.equal(PINYIN_COLLATION_AVAILABLE, true);
  });

  // Initials across the alphabet, and the neighbours that a misplaced boundary would swap (l/m, q/r, s/t, w/x, y/z).
  const NAMES: [string, string[]][] = [
    ['苹果', ['pg']],
    ['香蕉', ['xj']],
    ['西红柿', ['xhs']],
    ['胡萝卜', ['hlb']],
    ['龙眼', ['ly']],
    ['榴莲', ['ll']],
    ['猕猴桃', ['mht']],
    ['牛肉', ['nr']],
    ['芹菜', ['qc']],
    ['生菜', ['sc']],
    ['土豆', ['td']],
    ['豌豆', ['wd']],
    ['柚子', ['yz']],
    ['大蒜', ['ds']],
    ['鹅蛋', ['ed']],
    ['番茄', ['fj', 'fq']],
    ['甘蓝', ['gl']],
    ['韭菜', ['jc']],
    ['苦瓜', ['kg']],
    ['莲藕', ['lo']],
    ['啊', ['a']],
    ['白菜', ['bc']],
    // produce names that read a character otherwise than CLDR files it: both spellings
    ['茄子', ['jz', 'qz']],
    ['芥蓝', ['jl', 'gl']],
    ['长豆角', ['zdj', 'cdj']],
    ['人参', ['rc', 'rs']],
    ['荸荠', ['bj', 'bq']],
  ];
  for (const [name, initials] of NAMES) {
    it(`${name} → ${initials.join(' or ')}`, () => assert.deepEqual(pinyinInitials(name), initials));
  }

  it('keeps ASCII letters and digits, lower-cased, and drops spaces and punctuation', () => {
    assert.deepEqual(pinyinInitials('鲜牛奶 1L'), ['xnn1l']);
    assert.deepEqual(pinyinInitials('Fuji apple'), ['fujiapple']);
    assert.deepEqual(pinyinInitials('（特价）'), ['tj']);
    assert.deepEqual(pinyinInitials(''), ['']);
  });

  it('keeps at most 8 spellings of a name full of such characters', () => {
    const spellings = pinyinInitials('茄茄茄茄茄');
    assert.equal(spellings.length, 8);
    assert.equal(spellings[0], 'jjjjj');
    assert.ok(spellings.every((s) => /^[jq]{5}$/.test(s)));
  });
});
