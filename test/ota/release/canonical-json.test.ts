import assert from 'node:assert/strict';
import { CanonicalJsonError, canonicalJson, canonicalJsonBytes } from '../../../ota/release/canonical-json.ts';

/** An IEEE 754 double from its 16 hex digits, as RFC 8785 Appendix B lists them. */
function double(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonical JSON (RFC 8785, JCS)', () => {
  it('gives RFC 8785 §3.2.2’s example: numbers, escapes and literals, members sorted', () => {
    // The input of §3.2.2 as JSON text (parsed, as a verifier would parse it), its canonical form and UTF-8 bytes.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    assert.equal(canonicalJson(input), expected);
    // §3.2.4: UTF-8, the euro sign as its three bytes, nothing else escaped or re-encoded.
    const bytes = canonicalJsonBytes(input);
    assert.deepEqual(bytes, Buffer.from(expected, 'utf8'));
    assert.equal(
      bytes.subarray(bytes.indexOf('"string":"') + 10, bytes.indexOf('"string":"') + 13).toString('hex'),
      'e282ac',
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3’s example), not by code points or locale', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // An emoji (a surrogate pair, D83D) sorts before U+FB33 although its code point U+1F600 is higher.
    assert.deepEqual(
      [...canonicalJson(input).matchAll(/"([^"]*)":/g)].map((m) => m[1]),
      ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'],
    );
  });

  it('writes numbers as RFC 8785 Appendix B lists them (ECMAScript Number-to-String)', () => {
    const table: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'], // minus zero
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [hex, text] of table) assert.equal(canonicalJson(double(hex)), text, hex);
  });

  it('refuses NaN and the infinities (Appendix B: "error"), naming where they are', () => {
    for (const hex of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      assert.throws(
        () => canonicalJson({ a: [1, { b: double(hex) }] }),
        (err: unknown) => err instanceof CanonicalJsonError && err.path === '$.a[1].b',
      );
    }
  });

  it('nests without whitespace and keeps array order', () => {
    assert.equal(canonicalJson([56, { d: true, '10': null, '1': [] }]), '[56,{"1":[],"10":null,"d":true}]');
    assert.equal(canonicalJson({ b: { z: 1, a: [3, 2, 1] }, a: '' }), '{"a":"","b":{"a":[3,2,1],"z":1}}');
  });

  it('leaves out members that are undefined, as the JSON text on the wire has none', () => {
    assert.equal(canonicalJson({ version: '1.0.0', notes: undefined }), '{"version":"1.0.0"}');
    assert.equal(
      canonicalJson({ version: '1.0.0', notes: undefined }),
      canonicalJson(JSON.parse('{"version":"1.0.0"}')),
    );
  });

  it('refuses what is not I-JSON data: a lone surrogate, undefined in an array, a function, a BigInt, a Date', () => {
    const refused: unknown[] = [
      { name: '\ud800' },
      { '\udc00': 1 },
      [1, undefined],
      { f: () => 1 },
      { n: 1n },
      { at: new Date(0) },
      new Map(),
    ];
    for (const value of refused) assert.throws(() => canonicalJson(value), CanonicalJsonError);
    // Positive control: the same shapes with proper values are fine, and a surrogate pair is one character.
    assert.equal(canonicalJson({ name: '\ud83d\ude00', list: [1, null] }), '{"list":[1,null],"name":"😀"}');
  });

  it('gives the same bytes for the same data however its members were ordered', () => {
    const a = { manifest: { version: '1.2.3', name: 'cart-runtime', deviceKinds: ['cart'] } };
    const b = JSON.parse('{"manifest":{"deviceKinds":["cart"],"name":"cart-runtime","version":"1.2.3"}}');
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.notEqual(canonicalJson(a), canonicalJson({ manifest: { ...a.manifest, deviceKinds: ['speaker'] } }));
  });
});
