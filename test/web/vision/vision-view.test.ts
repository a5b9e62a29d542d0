import assert from 'node:assert/strict';
import type { CartVision, FieldAccuracyReport } from '../../../protocol/api/vision.ts';
import { share } from '../../../vision/fusion/accuracy.ts';
import {
  accuracyRange,
  cartStanding,
  decisionMix,
  notRecognisableText,
  pct,
  productsWorstFirst,
  shareText,
  standingCounts,
  versionBars,
} from '../../../web/src/pages/vision/vision-view.ts';

type Figures = FieldAccuracyReport['overall'];

const release = (name: string, version: string, onTrial = false) => ({ name, version, slot: 'a' as const, onTrial });

function cart(patch: Partial<CartVision> = {}): CartVision {
  return {
    thingName: 'cart-1',
    online: true,
    model: release('product-embedder', '1.0.0'),
    gallery: release('gallery-s', '3.0.0'),
    galleryVersion: 3,
    job: null,
    ...patch,
  };
}

function figures(key: string | null, hits: number, n: number, patch: Partial<Figures> = {}): Figures {
  return {
    key,
    records: n,
    firstAt: 1,
    lastAt: 2,
    visionTop1: share(hits, n),
    fusedTop1: share(hits, n),
    decisionCorrect: share(hits, n),
    decisions: { add: n, pick: 0, scan: 0, 'suggest-produce': 0, barcode: 0 },
    scanReasons: { 'no-candidate': 0, 'weight-veto': 0, 'low-confidence': 0, 'camera-unavailable': 0 },
    wrongAdds: 0,
    ...patch,
  };
}

describe('web: the Recognition section view rules', () => {
  describe('cartStanding', () => {
    const latest = { version: 3 };
    it('a cart on the latest gallery is current', () => {
      assert.equal(cartStanding(cart(), latest).standing, 'current');
    });
    it('a cart on an older gallery is behind, by how many versions', () => {
      const s = cartStanding(cart({ galleryVersion: 1 }), latest);
      assert.equal(s.standing, 'behind');
      assert.equal(s.tone, 'warn');
      assert.equal(s.label, '2 behind');
    });
    it('a cart behind with its update running is updating, not behind', () => {
      const s = cartStanding(cart({ galleryVersion: 2, job: { jobId: 'j1', step: 'downloading' } }), latest);
      assert.equal(s.standing, 'updating');
    });
    it('a cart without a model or without a gallery can only take barcodes', () => {
      assert.equal(cartStanding(cart({ model: null }), latest).standing, 'barcode-only');
      assert.equal(cartStanding(cart({ gallery: null, galleryVersion: null }), latest).standing, 'barcode-only');
      assert.equal(cartStanding(cart({ model: null }), latest).tone, 'bad');
    });
    it('a cart trying a new model is updating; no gallery built yet expects nothing of the cart', () => {
      assert.equal(cartStanding(cart({ model: release('e', '2.0.0', true) }), latest).standing, 'updating');
      assert.equal(cartStanding(cart({ gallery: null, galleryVersion: null }), null).standing, 'no-gallery-yet');
    });
    it('counts the carts by standing', () => {
      const counts = standingCounts(
        [cart(), cart({ galleryVersion: 2 }), cart({ model: null }), cart({ galleryVersion: 1 })],
        latest,
      );
      assert.deepEqual(counts, { current: 1, behind: 2, updating: 0, 'barcode-only': 1, 'no-gallery-yet': 0 });
    });
  });

  it('writes a share with its interval and counts, and nothing counted as such', () => {
    assert.equal(shareText(share(40, 46)), `87% (${pct(share(40, 46).low)}–${pct(share(40, 46).high)}) · 40 of 46`);
    assert.equal(shareText(share(0, 0)), 'no records');
    assert.equal(pct(0.994), '99.4%');
    assert.equal(pct(null), '—');
  });

  it('orders products worst first, the larger sample first at equal rates, unseen ones last', () => {
    const rows = productsWorstFirst([
      figures('good', 19, 20),
      figures('unseen', 0, 0, { records: 3 }),
      figures('bad-small', 1, 2),
      figures('bad-large', 10, 20),
      figures('middle', 15, 20),
    ]);
    assert.deepEqual(
      rows.map((r) => r.key),
      ['bad-large', 'bad-small', 'middle', 'good', 'unseen'],
    );
  });

  it('marks a model version worse only when its whole interval is below another version’s', () => {
    const bars = versionBars([figures('1.0.0', 190, 200), figures('1.1.0', 120, 200), figures('1.2.0', 2, 3)]);
    assert.deepEqual(
      bars.map((b) => [b.label, b.worse, b.worseThan, b.small]),
      [
        ['1.0.0', false, null, false],
        ['1.1.0', true, '1.0.0', false],
        // 2 of 3 is far below 95 %, but three records cannot say so: its interval reaches the good version's.
        ['1.2.0', false, null, true],
      ],
    );
    assert.equal(versionBars([figures(null, 0, 0)])[0]?.label, '(no model)');
  });

  it('gives the decision mix with the wrong adds apart', () => {
    const mix = decisionMix(
      figures(null, 8, 10, {
        decisions: { add: 6, pick: 2, scan: 1, 'suggest-produce': 0, barcode: 1 },
        wrongAdds: 1,
      }),
    );
    assert.deepEqual(
      mix.map((m) => [m.key, m.count, m.share]),
      [
        ['add', 6, 0.6],
        ['pick', 2, 0.2],
        ['scan', 1, 0.1],
        ['suggest-produce', 0, 0],
        ['barcode', 1, 0.1],
        ['wrong-add', 1, 0.1],
      ],
    );
    assert.equal(mix.at(-1)?.tone, 'bad');
  });

  it('says why a product is not recognisable, from the API’s reasons', () => {
    assert.equal(
      notRecognisableText({
        recognisable: false,
        reasons: [{ reason: 'too-few-photos', message: '1 photo(s): at least 3 are needed' }],
      }),
      '1 photo(s): at least 3 are needed',
    );
    assert.equal(notRecognisableText({ recognisable: true, reasons: [] }), '');
  });

  it('ends the accuracy range at the next whole minute', () => {
    assert.deepEqual(accuracyRange(7, 60_000 * 10 + 1), { from: 60_000 * 11 - 7 * 86_400_000, to: 60_000 * 11 });
  });
});
