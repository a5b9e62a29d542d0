import assert from 'node:assert/strict';
import type {
  RecognitionEvidence,
  RecognitionOutcomeSource,
  RecognitionRecord,
} from '../../../protocol/vision/recognition.ts';
import { type AccuracyFigures, fieldAccuracy, share } from '../../../vision/fusion/accuracy.ts';
import { fusionInputOf } from '../../../vision/fusion/fusion-input.ts';
import { decide } from '../../../vision/fusion/fusion-policy.ts';
import { EVIDENCE, fixtureCatalog } from '../../fixtures/vision/recognition-evidence.ts';

const catalog = fixtureCatalog();
let next = 0;

/** A record as the cart logs it: the rule's decision on the evidence, and what the item really was. */
function logged(
  evidence: RecognitionEvidence,
  truth: { sku: string | null; source: RecognitionOutcomeSource } | 'pending',
  fields: Partial<RecognitionEvidence> = {},
  cameraFailed = false,
): RecognitionRecord {
  const seen = { ...evidence, ...fields };
  const input = fusionInputOf(seen, catalog);
  const { decision, scores } = decide(cameraFailed ? { ...input, candidates: null } : input);
  const id = `r${++next}`;
  const record: RecognitionRecord = { id, evidence: seen, decision, scores };
  if (truth !== 'pending') record.outcome = { decisionId: id, truthSku: truth.sku, source: truth.source, at: seen.at };
  return record;
}

/** The field log of one cart over a morning: model 1.0.0, then 1.1.0 rolled out, and a camera failure. */
function morning(): RecognitionRecord[] {
  const v11 = { modelVersion: '1.1.0' };
  return [
    // 1.0.0: a clear hit accepted; the family chips (vision wrong, the weight right); a barcode against vision;
    // the cookies offered and picked.
    logged(EVIDENCE.clearHit, { sku: 'yogurt-plain-130', source: 'accepted' }),
    logged(EVIDENCE.topVetoedSecondConfirmed, { sku: 'chips-bbq-170', source: 'accepted' }),
    logged(EVIDENCE.barcodeOverride, { sku: 'cola-zero-330', source: 'barcode' }),
    logged(EVIDENCE.flat, { sku: 'cookies-choc-200', source: 'shopper-pick' }),
    // 1.1.0, later: the detergent no candidate weighed (scanned after the scan prompt); a wrong add an attendant
    // corrected (the scale read 1024 g, so the litre carton was added, but it was the half litre and a pack of
    // something dropped together: vision was right, the weight misled it); a yogurt the camera could not see; a
    // record still waiting; one taken out unnamed.
    logged(
      EVIDENCE.allVetoed,
      { sku: 'detergent-2l', source: 'barcode' },
      { ...v11, at: EVIDENCE.allVetoed.at + 3_600_000 },
    ),
    logged(
      EVIDENCE.lookAlikeLitre,
      { sku: 'milk-whole-500ml', source: 'attendant' },
      { ...v11, at: EVIDENCE.lookAlikeLitre.at + 3_600_000 },
    ),
    logged(
      EVIDENCE.clearHit,
      { sku: 'yogurt-plain-130', source: 'barcode' },
      { modelVersion: null, candidates: [], at: EVIDENCE.clearHit.at + 7_200_000 },
      true,
    ),
    logged(EVIDENCE.produce, 'pending', v11),
    logged(EVIDENCE.unknownWeight, { sku: null, source: 'removed' }, v11),
  ];
}

const group = (figures: AccuracyFigures[], key: string | null): AccuracyFigures => {
  const found = figures.find((f) => f.key === key);
  assert.ok(found, `no group ${key}`);
  return found;
};

describe('field accuracy from recognition records', () => {
  it('counts vision, vision with the priors and the decisions against the truth, overall', () => {
    const { overall, pending, withoutTruth } = fieldAccuracy(morning());
    assert.equal(pending, 1);
    assert.equal(withoutTruth, 1);
    assert.equal(overall.records, 7);
    // Vision's top-1: yogurt ✓, chips ✗ (the small bag), cola ✗, cookies ✗ (oat), detergent ✗, milk ✓ (500 ml);
    // the blind yogurt had no candidates and does not count.
    assert.deepEqual([overall.visionTop1.hits, overall.visionTop1.n], [2, 6]);
    // With the priors: yogurt ✓, chips ✓, cola ✗, cookies ✗, detergent ✗ (all vetoed), milk ✗.
    assert.deepEqual([overall.fusedTop1.hits, overall.fusedTop1.n], [2, 6]);
    // Decisions of vision's own: add ✓, add ✓, pick offering the truth ✓, scan ✗, add ✗ (the barcode and the
    // camera-failure scan are not vision's decisions).
    assert.deepEqual([overall.decisionCorrect.hits, overall.decisionCorrect.n], [3, 5]);
    assert.equal(overall.wrongAdds, 1);
    assert.deepEqual(overall.decisions, { add: 3, pick: 1, scan: 2, 'suggest-produce': 0, barcode: 1 });
    assert.deepEqual(overall.scanReasons, {
      'no-candidate': 0,
      'weight-veto': 1,
      'low-confidence': 0,
      'camera-unavailable': 1,
    });
  });

  it('splits by model version, earliest first, so a version that does worse shows apart', () => {
    const { byModelVersion } = fieldAccuracy(morning());
    assert.deepEqual(
      byModelVersion.map((f) => [f.key, f.records]),
      [
        ['1.0.0', 4],
        ['1.1.0', 2],
        [null, 1],
      ],
    );
    const v10 = group(byModelVersion, '1.0.0');
    assert.deepEqual([v10.decisionCorrect.hits, v10.decisionCorrect.n], [3, 3]);
    const v11 = group(byModelVersion, '1.1.0');
    assert.deepEqual([v11.decisionCorrect.hits, v11.decisionCorrect.n], [0, 2]);
    assert.equal(v11.wrongAdds, 1);
    const none = group(byModelVersion, null);
    assert.equal(none.visionTop1.rate, null, 'no model ran: no rate, not 0 %');
  });

  it('splits by the product it really was, most records first', () => {
    const { bySku } = fieldAccuracy(morning());
    assert.deepEqual(bySku[0] && [bySku[0].key, bySku[0].records], ['yogurt-plain-130', 2]);
    const milk = group(bySku, 'milk-whole-500ml');
    assert.deepEqual([milk.records, milk.wrongAdds, milk.visionTop1.hits, milk.fusedTop1.hits], [1, 1, 1, 0]);
    const chips = group(bySku, 'chips-bbq-170');
    assert.deepEqual([chips.visionTop1.rate, chips.fusedTop1.rate], [0, 1]);
  });

  it('gives the same figures whatever the order of the records', () => {
    const log = morning();
    assert.deepEqual(fieldAccuracy([...log].reverse()), fieldAccuracy(log));
    assert.deepEqual(fieldAccuracy([]).overall.records, 0);
  });

  it('shows how small a sample is: the 95 % Wilson interval', () => {
    assert.deepEqual(share(0, 0), { n: 0, hits: 0, rate: null, low: null, high: null });
    const three = share(3, 3);
    assert.equal(three.rate, 1);
    assert.ok(Math.abs((three.low ?? 0) - 0.4385) < 1e-4, `${three.low}`); // Newcombe (1998), table I
    assert.equal(three.high, 1);
    const many = share(300, 300);
    assert.ok((many.low ?? 0) > 0.98, 'the same rate from 300 records is far surer');
    const half = share(50, 100);
    assert.ok(Math.abs((half.low ?? 0) - 0.4038) < 1e-4 && Math.abs((half.high ?? 0) - 0.5962) < 1e-4);
  });
});
