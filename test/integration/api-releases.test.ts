import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { applyDelta } from '../../ota/delta/bsdiff-delta.ts';
import { Keyring } from '../../ota/release/keyring.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import { parseJobDocument, verifySignedRelease } from '../../ota/release/verify.ts';
import type { AuditPage } from '../../protocol/api/audit.ts';
import type { ReleaseDetail, ReleasePage, StagedArtifact } from '../../protocol/api/releases.ts';
import { otaDownloadPaths } from '../../protocol/ota/job-document.ts';
import type { ReleaseManifest } from '../../protocol/ota/release.ts';
import { answerCode, deviceGet } from '../helpers/device-https.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { signedRelease, testManifest } from '../helpers/ota-release.ts';

const MAX_ARTIFACT = 512 * 1024;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `base` with about 5 % of its bytes replaced, in eight spread regions. */
function changed(base: Buffer): Buffer {
  const out = Buffer.from(base);
  const region = Math.floor((base.length * 0.05) / 8);
  for (let i = 0; i < 8; i++) randomBytes(region).copy(out, Math.floor(((i + 0.5) * out.length) / 8));
  return out;
}

describe('OTA releases over HTTP and the device HTTPS downloads (real fleet, real SQLite, real files)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let viewer: ApiUser;
  let technician: ApiUser;
  let cart: TestDevice;
  let other: TestDevice;
  const fleetKey = generateSigningKey();
  const offlineKey = generateSigningKey();
  const strangerKey = generateSigningKey();
  /** What the fake jobs part allows: `${thing} ${sha256}`. */
  const allowed = new Set<string>();
  const inUse = new Set<string>();
  const throttled: { thing: string; bytes: number }[] = [];
  const v100 = randomBytes(200 * 1024);
  const v110 = changed(v100);
  const v120 = changed(v110);

  const releaseDir = (...parts: string[]) => join(dir.path, 'ota', ...parts);
  const upload = (token: string, body: Buffer, type = 'application/octet-stream') =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url: '/api/releases/artifacts',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload: body,
    });
  const count = (table: string) => fleet.services.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const snapshot = () => ({
    releases: count('releases'),
    signatures: count('release_signatures'),
    deltas: count('release_deltas'),
    artifacts: count('release_artifacts'),
    files: readdirSync(releaseDir('artifacts')).length,
    tmp: readdirSync(releaseDir('tmp')).length,
  });
  const manifestFor = (bytes: Buffer, version: string, overrides: Partial<ReleaseManifest> = {}) =>
    testManifest({ version, upgradeFrom: '>=1.0.0 <2.0.0', ...overrides }, bytes);
  const publish = async (token: string, bytes: Buffer, version: string, signer = offlineKey) => {
    assert.equal((await upload(token, bytes)).statusCode, 200);
    const answer = await apiAs(fleet, token).post('/api/releases', signedRelease(manifestFor(bytes, version), signer));
    assert.equal(answer.statusCode, 201, answer.body);
    return answer.json<ReleaseDetail>();
  };

  before(async () => {
    dir = tempDir();
    const keyFile = join(dir.path, 'fleet-signing.pem');
    const offlinePublic = join(dir.path, 'offline.pub.pem');
    writeFileSync(keyFile, fleetKey.privateKeyPem, { mode: 0o600 });
    writeFileSync(offlinePublic, offlineKey.publicKeyPem);
    fleet = await startFleet(
      dir.path,
      {
        seedDemoData: true,
        ota: {
          signingKeyFile: keyFile,
          trustedKeys: [offlinePublic],
          maxArtifactBytes: MAX_ARTIFACT,
          deltas: { bases: 2 },
        },
      },
      {
        extensions: {
          mayDownload: (thing, sha256) => allowed.has(`${thing} ${sha256}`),
          downloadThrottle: (thing) => {
            const entry = { thing, bytes: 0 };
            throttled.push(entry);
            const through = new PassThrough();
            through.on('data', (chunk: Buffer) => {
              entry.bytes += chunk.length;
            });
            return through;
          },
          releasePorts: { isInUse: (id) => inUse.has(id), rolloutIdsOf: (id) => (inUse.has(id) ? ['ro-canary'] : []) },
        },
      },
    );
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    technician = await apiUser(fleet, 'tech', 'technician', { storeIds: ['hf-shanghai-xuhui'] });
    cart = await registerDevice(fleet, 'cart-ota-1', 'cart');
    other = await registerDevice(fleet, 'cart-ota-2', 'cart');
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('stages an artifact under its sha256 once; the same bytes again write nothing', async () => {
    const first = await upload(hq.token, v100);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json<StagedArtifact>(), { sha256: sha(v100), size: v100.length, existed: false });
    assert.ok(existsSync(releaseDir('artifacts', sha(v100))));
    const again = await upload(hq.token, v100, 'application/x-tar');
    assert.deepEqual(again.json<StagedArtifact>(), { sha256: sha(v100), size: v100.length, existed: true });
    // A config artifact is JSON, and stays bytes: not parsed as the request's body.
    const json = Buffer.from('{"volume": 40}');
    const config = await upload(hq.token, json, 'application/json');
    assert.equal(config.json<StagedArtifact>().sha256, sha(json));
    assert.equal(readdirSync(releaseDir('tmp')).length, 0);
  });

  it('publishes an offline-signed release: verified, stored as signed, audited, listed', async () => {
    const detail = await publish(hq.token, v100, '1.0.0');
    assert.match(detail.id, /^rel-[0-9a-f]{16}$/);
    assert.equal(detail.version, '1.0.0');
    assert.equal(detail.signatureOk, true);
    assert.deepEqual(detail.signatureStatus, [{ keyId: offlineKey.keyId, trusted: true, valid: true }]);
    assert.deepEqual(detail.deltas, []);
    assert.equal(detail.publishedBy, 'hq');
    // What is stored verifies for a device holding the offline key.
    const read = await apiAs(fleet, viewer.token).get(`/api/releases/${detail.id}`);
    assert.equal(read.statusCode, 200);
    const stored = read.json<ReleaseDetail>();
    assert.equal(
      verifySignedRelease(
        { manifest: stored.manifest, signatures: stored.signatures },
        Keyring.fromPems([offlineKey.publicKeyPem]),
      ).ok,
      true,
    );
    const list = (await apiAs(fleet, viewer.token).get('/api/releases?name=cart-runtime')).json<ReleasePage>();
    assert.deepEqual(
      list.items.map((r) => r.version),
      ['1.0.0'],
    );
    const audit = (await apiAs(fleet, hq.token).get('/api/audit?action=release.publish')).json<AuditPage>();
    assert.equal(audit.items[0]?.targetId, detail.id);
    assert.deepEqual(audit.items[0]?.details.keyIds, [offlineKey.keyId]);
  });

  it('signs with the fleet key when the request carries no signature', async () => {
    const bytes = Buffer.from(JSON.stringify({ volume: 40 }));
    assert.equal((await upload(hq.token, bytes)).statusCode, 200);
    const manifest = testManifest(
      { component: 'config', name: 'cart-config', version: '3.0.0', upgradeFrom: '*' },
      bytes,
    );
    const answer = await apiAs(fleet, hq.token).post('/api/releases', { manifest });
    assert.equal(answer.statusCode, 201, answer.body);
    const detail = answer.json<ReleaseDetail>();
    assert.deepEqual(detail.signatureStatus, [{ keyId: fleetKey.keyId, trusted: true, valid: true }]);
    assert.equal(
      verifySignedRelease({ manifest, signatures: detail.signatures }, Keyring.fromPems([fleetKey.publicKeyPem])).ok,
      true,
    );
  });

  it('makes deltas from the newest earlier versions in the background; they patch into the release', async () => {
    const r110 = await publish(hq.token, v110, '1.1.0');
    const withDelta = await eventually(
      async () => {
        const d = (await apiAs(fleet, viewer.token).get(`/api/releases/${r110.id}`)).json<ReleaseDetail>();
        return d.deltas.length === 1 ? d : undefined;
      },
      20_000,
      'delta 1.0.0 → 1.1.0',
    );
    const delta = withDelta.deltas[0]!;
    assert.equal(delta.fromVersion, '1.0.0');
    assert.equal(delta.fromSha256, sha(v100));
    assert.ok(delta.ratio <= 0.1, `5 % changed: delta ${delta.size} of ${v110.length}`);
    // The delta file turns 1.0.0 into exactly 1.1.0.
    const out = join(dir.path, 'patched');
    await applyDelta(releaseDir('artifacts', sha(v100)), releaseDir('deltas', `${sha(v100)}-${sha(v110)}`), out, {
      sha256: sha(v110),
      size: v110.length,
    });

    const r120 = await publish(hq.token, v120, '1.2.0');
    await fleet.services.releases.deltas.whenIdle();
    const d120 = (await apiAs(fleet, viewer.token).get(`/api/releases/${r120.id}`)).json<ReleaseDetail>();
    assert.deepEqual(
      d120.deltas.map((d) => d.fromVersion),
      ['1.1.0', '1.0.0'],
      'bases: 2, the newest first',
    );
    // The job document offers them, and a device parses it.
    const document = fleet.services.releases.jobDocument(r120.id, {
      rolloutId: 'ro-1',
      allowDowngrade: false,
      healthCheckTimeoutSeconds: 60,
      maxTrialBoots: 2,
    });
    assert.equal(document.download.deltas.length, 2);
    assert.equal(parseJobDocument(JSON.stringify(document)).ok, true);
  });

  it('is read by HQ, technicians and viewers (releases:read); not by a store manager or an attendant', async () => {
    const manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: ['hf-shanghai-xuhui'] });
    const attendant = await apiUser(fleet, 'attendant', 'attendant', { storeIds: ['hf-shanghai-xuhui'] });
    for (const user of [hq, technician, viewer]) {
      assert.equal((await apiAs(fleet, user.token).get('/api/releases')).statusCode, 200, user.username);
    }
    for (const user of [manager, attendant]) {
      const answer = await apiAs(fleet, user.token).get('/api/releases');
      assert.equal(answer.statusCode, 403, user.username);
      assert.equal(answer.json<{ code: string }>().code, 'NOT_AUTHORIZED');
    }
  });

  describe('bad input gets a coded error and changes nothing', () => {
    const refusals: [string, () => Promise<{ statusCode: number; json: <T>() => T }>, number, string][] = [];
    const tampered = () => {
      const signed = signedRelease(manifestFor(v100, '1.5.0'), offlineKey);
      return { ...signed, manifest: { ...signed.manifest, version: '1.5.1' } };
    };
    refusals.push(
      [
        'a bad signature (manifest changed after signing)',
        () => apiAs(fleet, hq.token).post('/api/releases', tampered()),
        422,
        'RELEASE_SIGNATURE_INVALID',
      ],
      [
        'a trusted key’s bad signature next to a good one',
        () => {
          const manifest = manifestFor(v100, '1.5.0');
          const good = signedRelease(manifest, offlineKey).signatures[0]!;
          const wrong = signedRelease(manifestFor(v100, '1.5.9'), fleetKey).signatures[0]!;
          return apiAs(fleet, hq.token).post('/api/releases', { manifest, signatures: [good, wrong] });
        },
        422,
        'RELEASE_SIGNATURE_INVALID',
      ],
      [
        'a signature by an unknown key',
        () => apiAs(fleet, hq.token).post('/api/releases', signedRelease(manifestFor(v100, '1.5.0'), strangerKey)),
        422,
        'RELEASE_KEY_UNKNOWN',
      ],
      [
        'a hash that no upload has',
        () =>
          apiAs(fleet, hq.token).post(
            '/api/releases',
            signedRelease(manifestFor(Buffer.from('never uploaded'), '1.5.0'), offlineKey),
          ),
        422,
        'RELEASE_HASH_MISMATCH',
      ],
      [
        'a size other than the upload’s',
        () => {
          const m = manifestFor(v100, '1.5.0');
          return apiAs(fleet, hq.token).post(
            '/api/releases',
            signedRelease({ ...m, artifact: { ...m.artifact, size: m.artifact.size + 1 } }, offlineKey),
          );
        },
        422,
        'RELEASE_HASH_MISMATCH',
      ],
      [
        'a media type of another component',
        () => {
          const m = manifestFor(v100, '1.5.0');
          return apiAs(fleet, hq.token).post(
            '/api/releases',
            signedRelease({ ...m, artifact: { ...m.artifact, mediaType: 'application/vnd.onnx' } }, offlineKey),
          );
        },
        400,
        'RELEASE_INVALID',
      ],
      [
        'an upgradeFrom that is not a range',
        () =>
          apiAs(fleet, hq.token).post(
            '/api/releases',
            signedRelease(manifestFor(v100, '1.5.0', { upgradeFrom: '>=1 <<2' }), offlineKey),
          ),
        400,
        'RELEASE_INVALID',
      ],
      [
        'an invalid semver',
        () => apiAs(fleet, hq.token).post('/api/releases', signedRelease(manifestFor(v100, '1.5'), offlineKey)),
        400,
        'BAD_REQUEST',
      ],
      [
        'a version published already',
        () => apiAs(fleet, hq.token).post('/api/releases', signedRelease(manifestFor(v100, '1.0.0'), offlineKey)),
        409,
        'RELEASE_EXISTS',
      ],
      [
        'the same version with other build metadata',
        () =>
          apiAs(fleet, hq.token).post('/api/releases', signedRelease(manifestFor(v100, '1.0.0+rebuild.2'), offlineKey)),
        409,
        'RELEASE_EXISTS',
      ],
      [
        'a viewer publishing',
        () => apiAs(fleet, viewer.token).post('/api/releases', signedRelease(manifestFor(v100, '1.5.0'), offlineKey)),
        403,
        'NOT_AUTHORIZED',
      ],
      ['a viewer uploading', () => upload(viewer.token, randomBytes(1000)), 403, 'NOT_AUTHORIZED'],
      ['a technician uploading', () => upload(technician.token, randomBytes(1000)), 403, 'NOT_AUTHORIZED'],
      [
        'an upload declared over the limit',
        () => upload(hq.token, Buffer.alloc(MAX_ARTIFACT + 1)),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      ['an empty upload', () => upload(hq.token, Buffer.alloc(0)), 400, 'RELEASE_INVALID'],
    );
    for (const [what, call, status, code] of refusals) {
      it(what, async () => {
        await fleet.services.releases.deltas.whenIdle();
        const before = snapshot();
        const answer = await call();
        assert.equal(answer.statusCode, status, JSON.stringify(answer.json()));
        assert.equal(answer.json<{ code: string }>().code, code);
        assert.deepEqual(snapshot(), before);
      });
    }

    it('an upload over the limit without Content-Length is cut off while streaming, nothing kept', async () => {
      const before = snapshot();
      const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: fleet.services.http.port,
            method: 'POST',
            path: '/api/releases/artifacts',
            headers: {
              authorization: `Bearer ${hq.token}`,
              'content-type': 'application/octet-stream',
              'transfer-encoding': 'chunked',
            },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              body += d;
            });
            res.on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, body });
            });
          },
        );
        let sent = 0;
        req.on('error', (err) => (sent > MAX_ARTIFACT ? undefined : reject(err)));
        const chunk = Buffer.alloc(16 * 1024, 7);
        const pump = () => {
          while (sent < MAX_ARTIFACT * 8) {
            sent += chunk.length;
            if (!req.write(chunk)) return req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      assert.equal(result.status, 413, result.body);
      assert.equal(JSON.parse(result.body).code, 'PAYLOAD_TOO_LARGE');
      assert.deepEqual(snapshot(), before);
    });

    it('positive control: the same upload and manifest, correct, publish', async () => {
      const detail = await publish(hq.token, changed(v120), '1.5.0');
      assert.equal(detail.version, '1.5.0');
    });
  });

  describe('device downloads over mTLS', () => {
    let release: ReleaseDetail;
    before(async () => {
      release = (await apiAs(fleet, hq.token).get('/api/releases?name=cart-runtime'))
        .json<ReleasePage>()
        .items.find((r) => r.version === '1.2.0') as ReleaseDetail;
      release = (await apiAs(fleet, hq.token).get(`/api/releases/${release.id}`)).json<ReleaseDetail>();
    });

    it('serves the artifact whole, by range, resumed, to a device whose job names it, through the throttle', async () => {
      allowed.add(`${cart.thingName} ${release.sha256}`);
      const port = fleet.services.deviceHttps.port;
      const path = otaDownloadPaths.artifact(release.sha256);
      throttled.length = 0;
      const whole = await deviceGet(port, cart, path);
      assert.ok('status' in whole && whole.status === 200);
      assert.equal(sha(whole.body), release.sha256);
      assert.equal(whole.headers.etag, `"${release.sha256}"`);
      assert.equal(whole.headers['content-type'], 'application/x-tar');
      assert.deepEqual(throttled, [{ thing: cart.thingName, bytes: release.size }]);
      // Cut after 70,000 bytes, resumed with Range + If-Range: the two parts are the artifact.
      const half = await deviceGet(port, cart, path, { range: 'bytes=0-69999' });
      assert.ok('status' in half && half.status === 206);
      const rest = await deviceGet(port, cart, path, { range: 'bytes=70000-', 'if-range': `"${release.sha256}"` });
      assert.ok('status' in rest && rest.status === 206);
      assert.equal(rest.headers['content-range'], `bytes 70000-${release.size - 1}/${release.size}`);
      assert.equal(sha(Buffer.concat([half.body, rest.body])), release.sha256);
      const stale = await deviceGet(port, cart, path, { range: 'bytes=70000-', 'if-range': '"another"' });
      assert.ok('status' in stale && stale.status === 200, 'If-Range not matching: the whole artifact');
      assert.equal(
        answerCode(await deviceGet(port, cart, path, { range: `bytes=${release.size}-` })),
        'RANGE_NOT_SATISFIABLE',
      );
    });

    it('serves a delta to the release, its own sha256 as the ETag', async () => {
      const port = fleet.services.deviceHttps.port;
      const delta = release.deltas[0]!;
      const answer = await deviceGet(port, cart, otaDownloadPaths.delta(delta.fromSha256, release.sha256));
      assert.ok('status' in answer && answer.status === 200);
      assert.equal(sha(answer.body), delta.sha256);
      assert.equal(answer.headers.etag, `"${delta.sha256}"`);
      assert.equal(
        answerCode(await deviceGet(port, cart, otaDownloadPaths.delta(sha(Buffer.from('x')), release.sha256))),
        'NOT_FOUND',
      );
    });

    it('refuses a device without a job naming the artifact, even one that exists (NOT_AUTHORIZED)', async () => {
      const port = fleet.services.deviceHttps.port;
      assert.equal(
        answerCode(await deviceGet(port, other, otaDownloadPaths.artifact(release.sha256))),
        'NOT_AUTHORIZED',
      );
      const delta = release.deltas[0]!;
      assert.equal(
        answerCode(await deviceGet(port, other, otaDownloadPaths.delta(delta.fromSha256, release.sha256))),
        'NOT_AUTHORIZED',
      );
      // Allowed, but for an artifact no release has.
      const unknown = sha(Buffer.from('no such release'));
      allowed.add(`${other.thingName} ${unknown}`);
      assert.equal(answerCode(await deviceGet(port, other, otaDownloadPaths.artifact(unknown))), 'RELEASE_NOT_FOUND');
    });
  });

  describe('deleting', () => {
    it('deletes a release not in use with its deltas and files; refuses one in use (RELEASE_IN_USE)', async () => {
      const page = (await apiAs(fleet, hq.token).get('/api/releases?name=cart-runtime')).json<ReleasePage>();
      const r110 = page.items.find((r) => r.version === '1.1.0')!;
      inUse.add(r110.id);
      const detail = (await apiAs(fleet, hq.token).get(`/api/releases/${r110.id}`)).json<ReleaseDetail>();
      assert.deepEqual(detail.rolloutIds, ['ro-canary']);
      const refused = await apiAs(fleet, hq.token).delete(`/api/releases/${r110.id}`);
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json<{ code: string }>().code, 'RELEASE_IN_USE');
      assert.ok(existsSync(releaseDir('artifacts', r110.sha256)));
      assert.equal((await apiAs(fleet, viewer.token).delete(`/api/releases/${r110.id}`)).statusCode, 403);

      inUse.delete(r110.id);
      // Every delta publishing asked for is made (a delta finishing after the delete removes its own file, later).
      await fleet.services.releases.deltas.whenIdle();
      const deltaFiles = readdirSync(releaseDir('deltas')).filter((f) => f.includes(r110.sha256));
      assert.ok(deltaFiles.length >= 2, 'deltas to it (from 1.0.0) and from it (to 1.2.0)');
      assert.equal((await apiAs(fleet, hq.token).delete(`/api/releases/${r110.id}`)).statusCode, 204);
      assert.equal(
        (await apiAs(fleet, hq.token).get(`/api/releases/${r110.id}`)).json<{ code: string }>().code,
        'RELEASE_NOT_FOUND',
      );
      assert.equal(existsSync(releaseDir('artifacts', r110.sha256)), false);
      assert.deepEqual(
        readdirSync(releaseDir('deltas')).filter((f) => f.includes(r110.sha256)),
        [],
      );
      // 1.2.0 keeps its delta from 1.0.0 only.
      const r120 = page.items.find((r) => r.version === '1.2.0')!;
      const after = (await apiAs(fleet, hq.token).get(`/api/releases/${r120.id}`)).json<ReleaseDetail>();
      assert.deepEqual(
        after.deltas.map((d) => d.fromVersion),
        ['1.0.0'],
      );
      const audit = (await apiAs(fleet, hq.token).get('/api/audit?action=release.delete')).json<AuditPage>();
      assert.equal(audit.items[0]?.targetId, r110.id);
    });
  });
});
