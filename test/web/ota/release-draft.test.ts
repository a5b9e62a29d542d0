import assert from 'node:assert/strict';
import { RequestValidators } from '../../../fleet/http/request-validator.ts';
import { PublishReleaseRequestSchema } from '../../../protocol/api/releases.ts';
import { ARTIFACT_MEDIA_TYPES } from '../../../protocol/ota/release.ts';
import {
  draftProblems,
  manifestOf,
  newReleaseDraft,
  publishProblems,
  type ReleaseDraft,
  readSignedRelease,
} from '../../../web/src/pages/ota/release-draft.ts';

const SHA = 'a'.repeat(64);
const staged = { sha256: SHA, size: 4096, existed: false };
const valid: ReleaseDraft = {
  component: 'software',
  name: 'cart-runtime',
  version: '1.4.0',
  deviceKinds: ['cart'],
  hardwareModels: 'SC-200, SC-300',
  upgradeFrom: '>=1.2.0 <2.0.0',
  notes: '  Faster scale settling.  ',
  metadata: '',
};
/** The server's own body validator for `POST /api/releases` (fleet/http/request-validator.ts, the contract's schema). */
const publishBody = new RequestValidators().compile(PublishReleaseRequestSchema, 'body');
const refusal = (code: string, message: string, details?: unknown) => ({ code, message, details });

describe('console release draft (the publish form and where refusals go)', () => {
  it('reads the component, name and version from the file name', () => {
    assert.deepEqual(
      (({ component, name, version }) => ({ component, name, version }))(newReleaseDraft('cart-runtime-1.4.0.tar')),
      { component: 'software', name: 'cart-runtime', version: '1.4.0' },
    );
    const model = newReleaseDraft('Product_Embedder_v2.0.1-rc.1.onnx');
    assert.equal(model.component, 'model');
    assert.equal(model.name, 'product-embedder');
    assert.equal(model.version, '2.0.1-rc.1');
    const config = newReleaseDraft('cart-config.json');
    assert.equal(config.component, 'config');
    assert.equal(config.version, '', 'no version in the name: none guessed');
    assert.equal(newReleaseDraft('cart-runtime-1.4.0.tar').upgradeFrom, '*');
  });

  it('makes a manifest the contract accepts, with the staged sha256 and size and the component’s media type', () => {
    assert.deepEqual(draftProblems(valid), []);
    for (const component of ['software', 'model', 'config'] as const) {
      const manifest = manifestOf(
        { ...valid, component, metadata: component === 'model' ? '{"input":[1,3,128,128]}' : '' },
        staged,
        '2026-12-05T08:00:00.000Z',
      );
      assert.deepEqual(manifest.artifact, { sha256: SHA, size: 4096, mediaType: ARTIFACT_MEDIA_TYPES[component] });
      assert.deepEqual(manifest.hardwareModels, ['SC-200', 'SC-300']);
      assert.equal(manifest.notes, 'Faster scale settling.');
      assert.equal('metadata' in manifest, component === 'model');
      assert.equal(publishBody({ manifest }), true, JSON.stringify(publishBody.errors));
    }
    const bare = manifestOf({ ...valid, notes: ' ', hardwareModels: '' }, staged, '2026-12-05T08:00:00.000Z');
    assert.equal('notes' in bare, false, 'empty notes are left out');
    assert.deepEqual(bare.hardwareModels, [], 'no models: any model');
    assert.equal(publishBody({ manifest: bare }), true);
    // Positive control: the validator does refuse a manifest that breaks the contract.
    assert.equal(
      publishBody({ manifest: { ...bare, artifact: { ...bare.artifact, mediaType: 'text/plain' } } }),
      false,
    );
  });

  it('says what is wrong at each field before asking the fleet', () => {
    const fields = (d: Partial<ReleaseDraft>) => draftProblems({ ...valid, ...d }).map((p) => p.field);
    assert.deepEqual(fields({ name: 'Cart Runtime' }), ['name']);
    assert.deepEqual(fields({ version: 'v1.4' }), ['version']);
    assert.deepEqual(fields({ version: '1.4' }), ['version']);
    assert.deepEqual(fields({ deviceKinds: [] }), ['deviceKinds']);
    assert.deepEqual(fields({ hardwareModels: 'SC/200' }), ['hardwareModels']);
    assert.deepEqual(fields({ upgradeFrom: '  ' }), ['upgradeFrom']);
    assert.deepEqual(fields({ metadata: '[1, 2]' }), ['metadata']);
    assert.match(draftProblems({ ...valid, metadata: '{"a":' })[0]!.message, /^not JSON/);
    assert.deepEqual(fields({ name: '', version: '' }), ['name', 'version'], 'every problem at once');
  });

  it('places each publish refusal at the field it concerns', () => {
    const at = (err: unknown) => publishProblems(err).map((p) => p.field);
    assert.deepEqual(at(refusal('RELEASE_EXISTS', 'cart-runtime 1.4.0 exists')), ['version']);
    assert.deepEqual(at(refusal('RELEASE_HASH_MISMATCH', 'sha256 differs')), ['artifact']);
    assert.deepEqual(at(refusal('RELEASE_SIGNING_KEY_MISSING', 'no key')), ['signatures']);
    assert.deepEqual(at(refusal('RELEASE_KEY_UNKNOWN', 'key 0123456789abcdef')), ['signatures']);
    assert.deepEqual(at(refusal('RELEASE_SIGNATURE_INVALID', 'does not verify')), ['signatures']);
    // The schema check's answer (fleet/http/http-server.ts: details [{ in, path, message, params }]).
    assert.deepEqual(
      at(
        refusal('BAD_REQUEST', 'body/manifest/version must match pattern', [
          { in: 'body', path: '/manifest/version', message: 'must match pattern' },
          {
            in: 'body',
            path: '/manifest',
            message: "must have required property 'upgradeFrom'",
            params: { missingProperty: 'upgradeFrom' },
          },
          { in: 'body', path: '/manifest/artifact/size', message: 'must be <= 536870912' },
        ]),
      ),
      ['version', 'upgradeFrom', 'artifact'],
    );
    assert.deepEqual(
      at(refusal('RELEASE_INVALID', 'bad range', [{ field: 'manifest.upgradeFrom', message: 'not a semver range' }])),
      ['upgradeFrom'],
    );
    assert.deepEqual(at(refusal('RELEASE_INVALID', 'something else', [{ path: '/elsewhere', message: 'x' }])), [
      'form',
    ]);
    assert.deepEqual(publishProblems(refusal('INTERNAL', 'internal error')), [
      { field: 'form', message: 'internal error' },
    ]);
    assert.deepEqual(publishProblems(new Error('not a refusal')), []);
  });

  it('reads an offline-signed file by its shape and refuses anything else with a reason', () => {
    const manifest = manifestOf(valid, staged, '2026-12-05T08:00:00.000Z');
    const signatures = [{ keyId: '0123456789abcdef', algorithm: 'ed25519' as const, signature: 'A'.repeat(88) }];
    assert.deepEqual(readSignedRelease(JSON.stringify({ manifest, signatures })), { manifest, signatures });
    const problem = (text: string) => {
      const read = readSignedRelease(text);
      assert.ok('problem' in read, text);
      return read.problem;
    };
    assert.match(problem('{ manifest'), /^not JSON/);
    assert.match(problem(JSON.stringify({ signatures })), /no manifest/);
    assert.match(problem(JSON.stringify({ manifest, signatures: [] })), /no signatures/);
    assert.match(problem(JSON.stringify({ manifest, signatures: [{ keyId: 'KEY', signature: 'x' }] })), /key id/);
  });
});
