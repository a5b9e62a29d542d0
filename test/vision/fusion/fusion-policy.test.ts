import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import type { RecognitionDecision, RecognitionEvidence } from '../../../protocol/vision/recognition.ts';
import { fusionInputOf } from '../../../vision/fusion/fusion-input.ts';
import {
  DEFAULT_FUSION_POLICY,
  decide,
  type FusionPolicy,
  type FusionResult,
  fusionPolicy,
} from '../../../vision/fusion/fusion-policy.ts';
import { EVIDENCE, FIXTURE_PRODUCTS, fixtureCatalog } from '../../fixtures/vision/recognition-evidence.ts';

const catalog = fixtureCatalog();
const decideOn = (evidence: RecognitionEvidence, policy?: FusionPolicy): FusionResult =>
  decide(fusionInputOf(evidence, catalog), policy);
const skus = (decision: RecognitionDecision): string[] =>
  decision.kind === 'pick' || decision.kind === 'suggest-produce' ? decision.options.map((o) => o.sku) : [];

function throwsCode(fn: () => unknown, code: 'RECOGNITION_INPUT_INVALID' | 'RECOGNITION_POLICY_INVALID'): void {
  assert.throws(fn, (err) => isFleetError(err, code));
}

describe('fusion rule: decide() on recorded evidence', () => {
  it('adds a clear vision hit the weight confirms', () => {
    const { decision, scores } = decideOn(EVIDENCE.clearHit);
    assert.equal(decision.kind, 'add');
    assert.equal(decision.kind === 'add' && decision.sku, 'yogurt-plain-130');
    assert.ok(decision.kind === 'add' && decision.confidence >= DEFAULT_FUSION_POLICY.addConfidence);
    assert.equal(scores[0]?.sku, 'yogurt-plain-130');
    // The 500 ml milk (520 g) is vetoed by the 133 g reading; the other yogurt (132 g) is not.
    assert.equal(scores.find((s) => s.sku === 'milk-whole-500ml')?.weightFactor, 0);
    assert.ok((scores.find((s) => s.sku === 'yogurt-strawberry-130')?.weightFactor ?? 0) > 0.9);
  });

  it('vetoes vision top-1 by weight and adds the second candidate the weight confirms', () => {
    const { decision, scores } = decideOn(EVIDENCE.topVetoedSecondConfirmed);
    assert.deepEqual(decision.kind === 'add' && decision.sku, 'chips-bbq-170');
    const small = scores.find((s) => s.sku === 'chips-bbq-75');
    assert.ok(small && small.visionProb > 0.5, 'vision alone preferred the small bag');
    assert.equal(small?.weightFactor, 0);
    assert.equal(small?.posterior, 0);
  });

  it('separates two look-alike sizes by weight alone, either way round', () => {
    const litre = decideOn(EVIDENCE.lookAlikeLitre);
    const half = decideOn(EVIDENCE.lookAlikeHalfLitre);
    assert.equal(litre.decision.kind === 'add' && litre.decision.sku, 'milk-whole-1l');
    assert.equal(half.decision.kind === 'add' && half.decision.sku, 'milk-whole-500ml');
    // Vision alone is a coin toss between them.
    for (const { scores } of [litre, half]) {
      const [a, b] = scores.filter((s) => s.sku.startsWith('milk'));
      assert.ok(a && b && Math.abs(a.visionProb - b.visionProb) < 0.05);
    }
  });

  it('pushes an out-of-zone look-alike down: the product shelved here comes first, and is not added unasked', () => {
    const here = decideOn(EVIDENCE.outOfZoneLookAlike);
    assert.equal(here.decision.kind, 'pick');
    assert.deepEqual(skus(here.decision), ['cola-zero-330', 'cola-330']);
    assert.equal(here.scores.find((s) => s.sku === 'cola-330')?.zoneFactor, DEFAULT_FUSION_POLICY.outOfZoneFactor);
    // Positive control: without a zone vision's order stands.
    const nowhere = decideOn({ ...EVIDENCE.outOfZoneLookAlike, zoneId: null });
    assert.deepEqual(skus(nowhere.decision), ['cola-330', 'cola-zero-330']);
  });

  it('asks for a scan when the weight vetoes every candidate', () => {
    const { decision, scores } = decideOn(EVIDENCE.allVetoed);
    assert.deepEqual(decision, { kind: 'scan', reason: 'weight-veto' });
    assert.equal(scores.length, 3, 'the scores still say what was vetoed');
    assert.ok(scores.every((s) => s.weightFactor === 0 && s.posterior === 0));
  });

  it('offers three options to pick from when similarities are flat', () => {
    const { decision } = decideOn(EVIDENCE.flat);
    assert.equal(decision.kind, 'pick');
    assert.deepEqual(skus(decision), ['cookies-oat-200', 'cookies-choc-200', 'cookies-butter-200']);
    const confidences = decision.kind === 'pick' ? decision.options.map((o) => o.confidence) : [];
    assert.ok(confidences.every((c) => c > 0.2 && c < 0.5));
  });

  it('suggests produce with its PLUs before it is weighed, and after', () => {
    const before = decideOn(EVIDENCE.produce);
    assert.deepEqual(before.decision.kind === 'suggest-produce' && before.decision.options.map((o) => [o.sku, o.plu]), [
      ['apple-fuji', '4131'],
      ['apple-gala', '4133'],
    ]);
    // A bag of apples on the scale: produce is not vetoed by weight and is still suggested, never added.
    const weighed = decideOn({ ...EVIDENCE.produce, trigger: 'scale', weightDeltaG: 1234 });
    assert.equal(weighed.decision.kind, 'suggest-produce');
    assert.equal(
      weighed.scores.find((s) => s.sku === 'apple-fuji')?.weightFactor,
      DEFAULT_FUSION_POLICY.looseWeightFactor,
    );
  });

  it('a reading that hits a packaged product’s weight speaks for it over produce vision slightly prefers', () => {
    const candidates = [
      { sku: 'apple-fuji', similarity: 0.74 },
      { sku: 'cookies-oat-200', similarity: 0.7 },
    ];
    const input = (weightDeltaG: number | null) => ({
      candidates,
      weightDeltaG,
      zoneId: null,
      barcodeSku: null,
      products: catalog,
    });
    const weighed = decide(input(201));
    assert.equal(weighed.scores[0]?.sku, 'cookies-oat-200');
    assert.equal(weighed.decision.kind, 'pick', 'a 0.7 sighting is offered, not added on the weight');
    assert.deepEqual(skus(weighed.decision), ['cookies-oat-200'], 'the apples fall below the pick threshold');
    // Positive controls: before the scale settles vision's order stands, and a clearer look at produce still wins.
    assert.equal(decide(input(null)).decision.kind, 'suggest-produce');
    const apples = decide({ ...input(201), candidates: [{ ...candidates[0]!, similarity: 0.9 }, candidates[1]!] });
    assert.deepEqual(apples.decision.kind === 'suggest-produce' && apples.decision.options[0]?.sku, 'apple-fuji');
  });

  it('with unknownSimilarity set, asks for a scan when "not in the gallery" is likelier than any candidate', () => {
    const input = {
      candidates: [{ sku: 'cookies-oat-200', similarity: 0.7 }],
      weightDeltaG: 231,
      zoneId: null,
      barcodeSku: null,
      products: fixtureCatalog({
        ...FIXTURE_PRODUCTS,
        'cookies-oat-200': { ...FIXTURE_PRODUCTS['cookies-oat-200']!, toleranceG: 40 },
      }),
    };
    // 231 g against the biscuits' 200 ± 40: inside the tolerance, far out on the bell (σ 20: e^-1.2 ≈ 0.30).
    assert.equal(decide(input).decision.kind, 'add', 'positive control: without the hypothesis the biscuits are added');
    const open = decide(input, fusionPolicy({ unknownSimilarity: 0.8 }));
    assert.deepEqual(open.decision, { kind: 'scan', reason: 'no-candidate' });
    // A clear sighting still wins over it.
    const clear = decide(
      { ...input, candidates: [{ sku: 'cookies-oat-200', similarity: 0.95 }], weightDeltaG: 201 },
      fusionPolicy({ unknownSimilarity: 0.8 }),
    );
    assert.equal(clear.decision.kind, 'add');
  });

  it('suggests weighed products without a PLU with a null PLU', () => {
    const { decision } = decideOn({
      ...EVIDENCE.produce,
      zoneId: 'deli',
      candidates: [{ sku: 'pork-belly', similarity: 0.83 }],
    });
    assert.deepEqual(decision, { kind: 'suggest-produce', options: [{ sku: 'pork-belly', plu: null, confidence: 1 }] });
  });

  it('lets a barcode override a confident wrong vision guess, recording that vision disagreed', () => {
    const wrong = decideOn(EVIDENCE.barcodeOverride);
    assert.deepEqual(wrong.decision, { kind: 'barcode', sku: 'cola-zero-330', visionAgreed: false });
    assert.equal(wrong.scores[0]?.sku, 'cola-330', 'the scores keep what vision and the priors said');
    const right = decideOn({ ...EVIDENCE.barcodeOverride, barcode: 'cola-330' });
    assert.deepEqual(right.decision, { kind: 'barcode', sku: 'cola-330', visionAgreed: true });
    const blind = decide({ ...fusionInputOf(EVIDENCE.barcodeOverride, catalog), candidates: null });
    assert.deepEqual(blind.decision, { kind: 'barcode', sku: 'cola-zero-330', visionAgreed: null });
  });

  it('never adds before the weight has settled, unless the policy says so', () => {
    const { decision } = decideOn(EVIDENCE.notSettled);
    assert.equal(decision.kind, 'pick');
    assert.deepEqual(skus(decision), ['yogurt-plain-130']);
    const eager = decideOn(EVIDENCE.notSettled, fusionPolicy({ addWithoutWeight: true }));
    assert.equal(eager.decision.kind === 'add' && eager.decision.sku, 'yogurt-plain-130');
  });

  it('asks for a scan when no candidate is similar enough, or the camera gave no frame', () => {
    assert.deepEqual(decideOn(EVIDENCE.nothingClose).decision, { kind: 'scan', reason: 'no-candidate' });
    assert.deepEqual(decideOn({ ...EVIDENCE.clearHit, candidates: [] }).decision, {
      kind: 'scan',
      reason: 'no-candidate',
    });
    const blind = decide({ ...fusionInputOf(EVIDENCE.clearHit, catalog), candidates: null });
    assert.deepEqual(blind, { decision: { kind: 'scan', reason: 'camera-unavailable' }, scores: [] });
  });

  it('asks for a scan when no option reaches the pick threshold', () => {
    const candidates = Array.from({ length: 10 }, (_, i) => ({ sku: `cookies-${i}`, similarity: 0.7 }));
    const products = Object.fromEntries(candidates.map((c) => [c.sku, FIXTURE_PRODUCTS['cookies-oat-200']!]));
    const input = { ...fusionInputOf(EVIDENCE.flat, fixtureCatalog(products)), candidates };
    assert.deepEqual(decide(input, fusionPolicy({ topK: 10 })).decision, { kind: 'scan', reason: 'low-confidence' });
    // Positive control: among 5 the same flat belief reaches the threshold.
    assert.equal(decide(input, fusionPolicy({ topK: 5 })).decision.kind, 'pick');
  });

  it('adds a product whose weight the catalog does not know on vision alone (no veto, no confirmation)', () => {
    const { decision, scores } = decideOn(EVIDENCE.unknownWeight);
    assert.equal(decision.kind === 'add' && decision.sku, 'gift-card');
    assert.equal(
      scores[0]?.weightFactor,
      DEFAULT_FUSION_POLICY.looseWeightFactor,
      'no bell to fit: as loose as produce',
    );
  });

  it('does not let the weight stand in for vision: a far candidate the weight fits is offered, not added', () => {
    const far = { ...EVIDENCE.topVetoedSecondConfirmed, candidates: [{ sku: 'chips-bbq-170', similarity: 0.6 }] };
    const { decision } = decideOn(far);
    assert.equal(decision.kind, 'pick');
    assert.equal(decideOn(far, fusionPolicy({ addMinSimilarity: 0.55 })).decision.kind, 'add');
  });

  it('considers only the top-k most similar candidates, whatever their order in the input', () => {
    const shuffled = { ...EVIDENCE.flat, candidates: [...EVIDENCE.flat.candidates].reverse() };
    assert.deepEqual(decideOn(shuffled), decideOn(EVIDENCE.flat));
    const two = decideOn(EVIDENCE.flat, fusionPolicy({ topK: 2 }));
    assert.deepEqual(skus(two.decision), ['cookies-oat-200', 'cookies-choc-200']);
    assert.equal(two.scores.length, 2);
  });

  it('is deterministic and its posteriors sum to 1', () => {
    for (const evidence of Object.values(EVIDENCE)) {
      const first = decideOn(evidence);
      assert.deepEqual(decideOn(evidence), first);
      const sum = first.scores.reduce((a, s) => a + s.posterior, 0);
      if (first.scores.some((s) => s.posterior > 0)) assert.ok(Math.abs(sum - 1) < 1e-12, `${sum}`);
    }
  });

  it('clamps float error past ±1 and refuses what is no cosine, a weight that is no number, a SKU twice', () => {
    const close = decideOn({ ...EVIDENCE.clearHit, candidates: [{ sku: 'yogurt-plain-130', similarity: 1.0000001 }] });
    assert.equal(close.scores[0]?.similarity, 1);
    const input = fusionInputOf(EVIDENCE.clearHit, catalog);
    for (const similarity of [Number.NaN, 1.5, -2, Number.POSITIVE_INFINITY]) {
      throwsCode(
        () => decide({ ...input, candidates: [{ sku: 'yogurt-plain-130', similarity }] }),
        'RECOGNITION_INPUT_INVALID',
      );
    }
    throwsCode(() => decide({ ...input, weightDeltaG: Number.NaN }), 'RECOGNITION_INPUT_INVALID');
    const twice = [
      { sku: 'yogurt-plain-130', similarity: 0.9 },
      { sku: 'yogurt-plain-130', similarity: 0.8 },
    ];
    throwsCode(() => decide({ ...input, candidates: twice }), 'RECOGNITION_INPUT_INVALID');
  });
});

describe('fusion rule: the policy', () => {
  it('has defaults that pass its own rules, frozen', () => {
    assert.deepEqual(fusionPolicy(), DEFAULT_FUSION_POLICY);
    assert.ok(Object.isFrozen(DEFAULT_FUSION_POLICY) && Object.isFrozen(fusionPolicy({ topK: 3 })));
  });

  it('refuses thresholds out of range or contradicting each other, listing every problem', () => {
    for (const bad of [
      { topK: 0 },
      { topK: 11 },
      { topK: 2.5 },
      { temperature: 0 },
      { outOfZoneFactor: 0 },
      { outOfZoneFactor: 1.2 },
      { addConfidence: 1.01 },
      { minSimilarity: Number.NaN },
      { pickMinConfidence: 0.95 },
    ]) {
      throwsCode(() => fusionPolicy(bad), 'RECOGNITION_POLICY_INVALID');
    }
    try {
      fusionPolicy({ temperature: -1, weightSigmaShare: 0 });
      assert.fail('should refuse');
    } catch (err) {
      assert.ok(isFleetError(err, 'RECOGNITION_POLICY_INVALID'));
      assert.equal((err.details as string[]).length, 2);
    }
  });

  it('decide() refuses a policy that was not made with fusionPolicy() and is invalid', () => {
    const policy = { ...DEFAULT_FUSION_POLICY, temperature: 0 };
    throwsCode(() => decideOn(EVIDENCE.clearHit, policy), 'RECOGNITION_POLICY_INVALID');
  });
});
