import assert from 'node:assert/strict';
import { ANY_RUN, GlobPattern, globTokens, ONE_CHAR } from '../../../fleet/policy/glob-pattern.ts';
import { mulberry32 } from '../../../platform/seeded-random.ts';

const glob = (text: string) => new GlobPattern(globTokens(text));

/** What the evaluator compiled before: the glob as an anchored RegExp, `*` → `.*`, `?` → `.`, flag `s`. */
function asRegExp(text: string): RegExp {
  let source = '';
  for (const c of text) {
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

describe('GlobPattern (IAM globs without RegExp)', () => {
  it('matches the whole string: `*` any run (slashes and newlines too), `?` one character', () => {
    const topic = glob('arn:aws:iot:*:*:topic/cx/cartfleet/cart-1/*');
    assert.equal(topic.test('arn:aws:iot:us-east-1:123456789012:topic/cx/cartfleet/cart-1/order-submit'), true);
    assert.equal(topic.test('arn:aws:iot:us-east-1:123456789012:topic/cx/cartfleet/cart-1/a/b\nc'), true);
    assert.equal(topic.test('arn:aws:iot:us-east-1:123456789012:topic/cx/cartfleet/cart-10/order-submit'), false);
    assert.equal(topic.test('xarn:aws:iot:r:a:topic/cx/cartfleet/cart-1/x'), false, 'anchored at the start');
    assert.equal(glob('a?c').test('abc'), true);
    assert.equal(glob('a?c').test('ac'), false);
    assert.equal(glob('a?c').test('abbc'), false);
    assert.equal(glob('*').test(''), true);
    assert.equal(glob('').test(''), true);
    assert.equal(glob('').test('a'), false);
    assert.equal(glob('a*b*c').test('a-b-b-c'), true);
    assert.equal(glob('a*b*c').test('a-b-b-'), false, 'anchored at the end');
  });

  it("a variable's value is literal: a client id `a*` or `b?` is no wildcard", () => {
    const pattern = new GlobPattern(['arn:client/', 'a*', ANY_RUN]);
    assert.equal(pattern.test('arn:client/a*x'), true);
    assert.equal(pattern.test('arn:client/abc'), false);
    assert.equal(new GlobPattern(['b?']).test('bx'), false);
    assert.equal(new GlobPattern(['b', ONE_CHAR]).test('bx'), true);
  });

  it('answers what the anchored RegExp answered, on 20,000 random globs and strings', () => {
    const random = mulberry32(14);
    const alphabet = ['a', 'b', '/', '*', '?', '\n', '.'];
    const draw = (max: number, chars: string[]) =>
      Array.from({ length: Math.floor(random() * max) }, () => chars[Math.floor(random() * chars.length)]).join('');
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      const pattern = draw(8, alphabet);
      const text = draw(10, ['a', 'b', '/', '\n', '.', '*']);
      const expected = asRegExp(pattern).test(text);
      if (expected) matched++;
      assert.equal(glob(pattern).test(text), expected, `${JSON.stringify(pattern)} on ${JSON.stringify(text)}`);
    }
    assert.ok(matched > 1000, `both answers occur (${matched} matches)`);
  });
});
