import assert from 'node:assert/strict';
import { parseTemplate, renderTemplate } from '../../../broadcast/announcer/template.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';

function refusal(fn: () => unknown): FleetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FleetError) return err;
    throw err;
  }
  assert.fail('expected a FleetError');
}

describe('announcer templates', () => {
  it('parses fields once, in order of first appearance, with {{ }} as literal braces', () => {
    const t = parseTemplate('{{特价}} {product} {price} {product} {time}');
    assert.deepEqual(t.fields, ['product', 'price', 'time']);
    assert.deepEqual(t.parts[0], { literal: '{特价} ' });
    assert.deepEqual(t.parts[1], { field: 'product', position: 7 });
  });

  it('renders a promotion in Chinese with every number read aloud', () => {
    const t = parseTemplate('{product}现价只要¥{price}，{promotion}！活动{time}开始。');
    const text = renderTemplate(
      t,
      { product: '伊利纯牛奶250ml', price: 990, promotion: '买2送1', time: '15:30' },
      'zh',
    );
    assert.equal(text, '伊利纯牛奶两百五十毫升现价只要九块九，买二送一！活动下午三点半开始。');
  });

  it('renders English from a catalog-style name per language; a currency written around {price} is not read twice', () => {
    const t = parseTemplate('{product}, now only ¥{price} yuan! {promotion}. From {time}.');
    const text = renderTemplate(
      t,
      { product: { zh: '牛奶', en: 'Fresh milk 1L' }, price: 990, promotion: 'Buy 2 get 1 free', time: '15:30' },
      'en',
    );
    assert.equal(text, 'Fresh milk one litre, now only nine yuan ninety! Buy two get one free. From three thirty p.m.');
    const zh = renderTemplate(
      parseTemplate('{product}只要{price}元'),
      { product: { zh: '牛奶', en: 'Milk' }, price: 200 },
      'zh',
    );
    assert.equal(zh, '牛奶只要两块');
  });

  it('reads {store} and {points}', () => {
    const t = parseTemplate('欢迎光临{store}，今天消费送{points}积分。');
    assert.equal(
      renderTemplate(t, { store: '盒马徐汇店', points: 200 }, 'zh'),
      '欢迎光临盒马徐汇店，今天消费送两百积分。',
    );
    assert.equal(
      renderTemplate(parseTemplate('Earn {points} points'), { points: 1005 }, 'en'),
      'Earn one thousand and five points',
    );
  });

  it('refuses an unknown field with TEMPLATE_FIELD_UNKNOWN naming the field and its position', () => {
    const err = refusal(() => parseTemplate('今天{product}打{discount}折'));
    assert.equal(err.code, 'TEMPLATE_FIELD_UNKNOWN');
    assert.deepEqual(err.details, { field: 'discount', position: 12 });
    // Positive control: the same template without the unknown field parses.
    assert.deepEqual(parseTemplate('今天{product}打折').fields, ['product']);
  });

  for (const [source, field, position] of [
    ['只要{price', 'price', 2],
    ['半价}', '}', 2],
    ['{}', '', 0],
    ['{Product}', 'Product', 0],
    ['{toString}', 'toString', 0],
  ] as const) {
    it(`refuses "${source}" with TEMPLATE_FIELD_UNKNOWN at ${position}`, () => {
      const err = refusal(() => parseTemplate(source));
      assert.equal(err.code, 'TEMPLATE_FIELD_UNKNOWN');
      assert.deepEqual(err.details, { field, position });
    });
  }

  it('refuses missing values and values of the wrong kind with TEMPLATE_FIELD_MISSING, listing all at once', () => {
    const t = parseTemplate('{product} {price} {time} {points}');
    const err = refusal(() =>
      renderTemplate(t, { product: { zh: '牛奶', en: 'Milk' }, price: 9.9 as never, time: '25:00' }, 'zh'),
    );
    assert.equal(err.code, 'TEMPLATE_FIELD_MISSING');
    assert.deepEqual(err.details, { fields: ['price', 'time', 'points'] });
    // A product named in Chinese only has no English value.
    const en = refusal(() => renderTemplate(parseTemplate('{product}'), { product: { zh: '牛奶' } as never }, 'en'));
    assert.ok(isFleetError(en, 'TEMPLATE_FIELD_MISSING'));
    assert.equal(renderTemplate(parseTemplate('{product}'), { product: { zh: '牛奶' } as never }, 'zh'), '牛奶');
  });

  it('ignores values for fields the template does not name', () => {
    assert.equal(renderTemplate(parseTemplate('欢迎光临'), { price: 100 }, 'zh'), '欢迎光临');
  });
});
