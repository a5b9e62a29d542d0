import assert from 'node:assert/strict';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import {
  MAX_RECOGNITION_CANDIDATES,
  type RecognitionRecord,
  RecognitionRecordSchema,
  recognitionRecordProblems,
} from '../../../protocol/vision/recognition.ts';
import { fusionInputOf } from '../../../vision/fusion/fusion-input.ts';
import { decide } from '../../../vision/fusion/fusion-policy.ts';
import { EVIDENCE, fixtureCatalog } from '../../fixtures/vision/recognition-evidence.ts';

/** The record schema compiled as the fleet will compile it (platform's SchemaValidator: ajv, strict). */
const records = new SchemaValidator<RecognitionRecord>(RecognitionRecordSchema);

function recordOf(evidence: (typeof EVIDENCE)[keyof typeof EVIDENCE], id = 'boot7-42'): RecognitionRecord {
  const { decision, scores } = decide(fusionInputOf(evidence, fixtureCatalog()));
  return { id, thingName: 'cart-xuhui-001', storeId: 'hf-shanghai-xuhui', evidence, decision, scores };
}

function refuses(value: unknown, where: RegExp, what: string): void {
  const check = records.check(structuredClone(value));
  assert.equal(check.ok, false, `${what} should be refused`);
  if (!check.ok) assert.match(check.reason, where, what);
}

describe('recognition record schema (protocol/vision/recognition.ts)', () => {
  const base = recordOf(EVIDENCE.clearHit);

  it('accepts the record of every decision the fusion rule makes, with and without its outcome', () => {
    for (const [name, evidence] of Object.entries(EVIDENCE)) {
      const record = recordOf(evidence);
      assert.deepEqual(records.check(structuredClone(record)), { ok: true, value: record }, name);
      assert.deepEqual(recognitionRecordProblems(record), [], name);
    }
    const withOutcome: RecognitionRecord = {
      ...base,
      outcome: { decisionId: base.id, truthSku: 'yogurt-plain-130', source: 'accepted', at: base.evidence.at + 1 },
    };
    assert.equal(records.check(withOutcome).ok, true);
    const { latencyMs: _latency, ...evidence } = base.evidence;
    const minimal = { id: 'r1', evidence, decision: base.decision };
    assert.equal(records.check(minimal).ok, true, 'no thingName, storeId, scores, outcome or latency');
  });

  it('refuses more candidates, scores or options than the bounds', () => {
    const candidates = Array.from({ length: MAX_RECOGNITION_CANDIDATES + 1 }, (_, i) => ({
      sku: `sku-${i}`,
      similarity: 0.9 - i / 100,
    }));
    refuses({ ...base, evidence: { ...base.evidence, candidates } }, /evidence\.candidates/, '11 candidates');
    assert.equal(
      records.check({ ...base, evidence: { ...base.evidence, candidates: candidates.slice(0, 10) } }).ok,
      true,
      'positive control: 10 candidates',
    );
    const scores = candidates.map((c) => ({ ...c, visionProb: 0.1, weightFactor: 1, zoneFactor: 1, posterior: 0.1 }));
    refuses({ ...base, scores }, /scores/, '11 scores');
    const options = ['a', 'b', 'c', 'd'].map((sku) => ({ sku, confidence: 0.25 }));
    refuses({ ...base, decision: { kind: 'pick', options } }, /decision/, 'a pick of 4');
    refuses({ ...base, decision: { kind: 'pick', options: [] } }, /decision/, 'a pick of none');
  });

  it('refuses an unknown decision kind or scan reason, and fields of another kind', () => {
    refuses({ ...base, decision: { kind: 'guess', sku: 'cola-330' } }, /decision/, 'unknown kind');
    refuses({ ...base, decision: { kind: 'scan', reason: 'bored' } }, /decision/, 'unknown reason');
    refuses(
      { ...base, decision: { kind: 'add', sku: 'cola-330', confidence: 0.95, reason: 'x' } },
      /decision/,
      'extra',
    );
    refuses({ ...base, decision: { kind: 'add', sku: 'cola-330', confidence: 1.2 } }, /decision/, 'confidence > 1');
  });

  it('refuses oversized or malformed strings', () => {
    const long = 'a'.repeat(65);
    refuses({ ...base, id: long }, /id/, '65-character id');
    refuses({ ...base, thingName: 'c'.repeat(129) }, /thingName/, '129-character thing name');
    refuses({ ...base, storeId: long }, /storeId/, '65-character store id');
    refuses({ ...base, evidence: { ...base.evidence, zoneId: long } }, /zoneId/, '65-character zone');
    refuses({ ...base, evidence: { ...base.evidence, barcode: long } }, /barcode/, '65-character SKU');
    refuses({ ...base, evidence: { ...base.evidence, modelVersion: `1.0.0-${long}` } }, /modelVersion/, 'version');
    refuses({ ...base, evidence: { ...base.evidence, modelVersion: 'latest' } }, /modelVersion/, 'not semver');
    const candidates = [{ sku: `${long}`, similarity: 0.9 }];
    refuses({ ...base, evidence: { ...base.evidence, candidates } }, /candidates\.0\.sku/, 'long candidate SKU');
  });

  it('refuses out-of-range numbers and unknown fields', () => {
    const candidates = [{ sku: 'cola-330', similarity: 1.5 }];
    refuses({ ...base, evidence: { ...base.evidence, candidates } }, /similarity/, 'similarity 1.5');
    refuses({ ...base, evidence: { ...base.evidence, weightDeltaG: 1e9 } }, /weightDeltaG/, 'a tonne');
    refuses({ ...base, evidence: { ...base.evidence, galleryVersion: 0 } }, /galleryVersion/, 'gallery version 0');
    refuses({ ...base, evidence: { ...base.evidence, trigger: 'timer' } }, /trigger/, 'unknown trigger');
    refuses(
      { ...base, evidence: { ...base.evidence, latencyMs: { capture: -1, embed: 1, search: 1 } } },
      /capture/,
      'neg',
    );
    refuses({ ...base, secret: 'x' }, /additional/, 'an extra field');
    refuses(
      { ...base, outcome: { decisionId: base.id, truthSku: null, source: 'psychic', at: 1 } },
      /source/,
      'source',
    );
  });

  it('names what the schema cannot see: duplicates, order, another record’s outcome, a barcode that disagrees', () => {
    const dup = structuredClone(base);
    dup.evidence.candidates = [
      { sku: 'cola-330', similarity: 0.8 },
      { sku: 'cola-330', similarity: 0.7 },
    ];
    assert.deepEqual(recognitionRecordProblems(dup), ['evidence.candidates: a SKU appears twice']);
    const unordered = structuredClone(base);
    unordered.evidence.candidates.reverse();
    assert.deepEqual(recognitionRecordProblems(unordered), ['evidence.candidates: not in descending similarity']);
    const other: RecognitionRecord = {
      ...base,
      outcome: { decisionId: 'someone-else', truthSku: null, source: 'removed', at: base.evidence.at - 1 },
    };
    assert.deepEqual(recognitionRecordProblems(other), [
      'outcome.decisionId: not the record id',
      'outcome.at: before the evidence',
    ]);
    const barcode = recordOf(EVIDENCE.barcodeOverride);
    const disagreeing: RecognitionRecord = {
      ...barcode,
      decision: { kind: 'barcode', sku: 'cola-330', visionAgreed: true },
    };
    assert.deepEqual(recognitionRecordProblems(disagreeing), ['decision.sku: not the scanned SKU of the evidence']);
  });
});
