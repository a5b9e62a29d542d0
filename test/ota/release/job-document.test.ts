import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildJobDocument, type DeltaOffer, MAX_JOB_DOCUMENT_DELTAS } from '../../../ota/release/job-document.ts';
import { Keyring } from '../../../ota/release/keyring.ts';
import { generateSigningKey } from '../../../ota/release/signing.ts';
import { parseJobDocument, verifySignedRelease } from '../../../ota/release/verify.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { MAX_JOB_DOCUMENT_BYTES, OTA_JOB_OPERATION, otaDownloadPaths } from '../../../protocol/ota/job-document.ts';
import { signedRelease, testManifest } from '../../helpers/ota-release.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const options = { rolloutId: 'ro-1', allowDowngrade: false, healthCheckTimeoutSeconds: 120, maxTrialBoots: 3 };

describe('OTA job documents: the fleet’s builder and the device’s parser', () => {
  const key = generateSigningKey();
  const signed = signedRelease(testManifest(), key);
  const target = signed.manifest.artifact.sha256;
  const delta: DeltaOffer = { fromVersion: '1.0.0', fromSha256: sha('1.0.0'), sha256: sha('delta'), size: 1234 };

  it('builds a document the device parses back to the same value, with derived download paths', () => {
    const document = buildJobDocument(signed, [delta], options);
    assert.equal(document.operation, OTA_JOB_OPERATION);
    assert.equal(document.download.path, otaDownloadPaths.artifact(target));
    assert.deepEqual(document.download.deltas, [{ ...delta, path: otaDownloadPaths.delta(delta.fromSha256, target) }]);
    // Over the wire: JSON text, bytes and the parsed object all parse to the same document.
    const text = JSON.stringify(document);
    for (const raw of [text, Buffer.from(text), JSON.parse(text)]) {
      const parsed = parseJobDocument(raw);
      assert.equal(parsed.ok, true);
      assert.deepEqual(parsed.ok && parsed.document, document);
    }
    // The signature survives the trip: the device verifies what the fleet signed.
    const parsed = parseJobDocument(text);
    assert.ok(parsed.ok);
    assert.equal(verifySignedRelease(parsed.document.release, Keyring.fromPems([key.publicKeyPem])).ok, true);
  });

  it('offers at most 8 deltas, the first ones given', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({
      ...delta,
      fromVersion: `1.0.${i}`,
      fromSha256: sha(`1.0.${i}`),
    }));
    const document = buildJobDocument(signed, many, options);
    assert.equal(document.download.deltas.length, MAX_JOB_DOCUMENT_DELTAS);
    assert.equal(document.download.deltas[0]!.fromVersion, '1.0.0');
  });

  it('refuses to build what a device would refuse (OTA_DOCUMENT_INVALID): over 32 KiB, an unsound manifest', () => {
    const big = signedRelease(testManifest({ metadata: { blob: 'x'.repeat(MAX_JOB_DOCUMENT_BYTES) } }), key);
    assert.throws(
      () => buildJobDocument(big, [], options),
      (err) => isFleetError(err, 'OTA_DOCUMENT_INVALID'),
    );
    const badTimeout = { ...options, healthCheckTimeoutSeconds: 5 };
    assert.throws(
      () => buildJobDocument(signed, [], badTimeout),
      (err) => isFleetError(err, 'OTA_DOCUMENT_INVALID'),
    );
  });

  describe('parseJobDocument refuses with OTA_DOCUMENT_INVALID and says why', () => {
    const good = () => JSON.parse(JSON.stringify(buildJobDocument(signed, [delta], options)));
    const refusals: [string, () => unknown, RegExp][] = [
      ['text that is not JSON', () => '{"operation": "cartfleet.ota.install",', /not JSON/],
      ['bytes that are not JSON', () => Buffer.from([0xff, 0xfe, 0x00]), /not JSON/],
      ['JSON that is not an object', () => '[1,2]', /not a JSON object/],
      ['null', () => null, /not a JSON object/],
      [
        'another operation (not an OTA job)',
        () => ({ ...good(), operation: 'reboot' }),
        /"reboot" is not cartfleet\.ota\.install/,
      ],
      ['no operation', () => ({ ...good(), operation: undefined }), /operation missing/],
      ['another schema version', () => ({ ...good(), schema: 2 }), /schema 2 is not supported/],
      [
        'a document over 32 KiB as text',
        () => JSON.stringify({ ...good(), pad: 'x'.repeat(MAX_JOB_DOCUMENT_BYTES) }),
        /over 32768/,
      ],
      [
        'a document over 32 KiB as an object',
        () => ({ ...good(), pad: 'x'.repeat(MAX_JOB_DOCUMENT_BYTES) }),
        /over 32768/,
      ],
      ['an unknown member', () => ({ ...good(), extra: 1 }), /additional properties/],
      ['no release', () => ({ ...good(), release: undefined }), /release/],
      [
        'a release without signatures',
        () => ({ ...good(), release: { ...good().release, signatures: [] } }),
        /signatures/,
      ],
      ['a trial-boot count out of range', () => ({ ...good(), maxTrialBoots: 0 }), /maxTrialBoots/],
      [
        'a manifest whose media type is another component’s',
        () => {
          const doc = good();
          doc.release.manifest.artifact.mediaType = 'application/vnd.onnx';
          return doc;
        },
        /release\.manifest\.artifact\.mediaType/,
      ],
      [
        'a download path for another artifact',
        () => ({ ...good(), download: { ...good().download, path: otaDownloadPaths.artifact(sha('x')) } }),
        /download\.path/,
      ],
      [
        'a delta path to another target',
        () => {
          const doc = good();
          doc.download.deltas[0].path = otaDownloadPaths.delta(delta.fromSha256, sha('x'));
          return doc;
        },
        /download\.deltas\.0\.path/,
      ],
      [
        'a circular object',
        () => {
          const doc = good();
          doc.self = doc;
          return doc;
        },
        /not JSON data/,
      ],
    ];
    for (const [what, make, message] of refusals) {
      it(what, () => {
        const parsed = parseJobDocument(make());
        assert.equal(parsed.ok, false);
        assert.equal(!parsed.ok && parsed.code, 'OTA_DOCUMENT_INVALID');
        assert.match(!parsed.ok ? parsed.message : '', message);
      });
    }

    it('positive control: the same document unmodified parses', () => {
      assert.equal(parseJobDocument(good()).ok, true);
      assert.equal(parseJobDocument(JSON.stringify(good())).ok, true);
    });
  });
});
