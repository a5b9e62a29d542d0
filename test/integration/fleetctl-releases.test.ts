import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { Keyring } from '../../ota/release/keyring.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import { verifySignedRelease } from '../../ota/release/verify.ts';
import type { ReleaseDetail, ReleasePage } from '../../protocol/api/releases.ts';
import type { ReleaseManifest, SignedRelease } from '../../protocol/ota/release.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';

describe('fleetctl releases (real fleet, CLI in a child process)', function () {
  // Each fleetctl run starts a Node process with tsx (about a second alone, several on a loaded machine).
  this.timeout(180_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let viewer: ApiUser;
  const offline = generateSigningKey();
  const fleetKey = generateSigningKey();
  const at = (name: string) => join(dir.path, name);
  const fleetctl = (args: string[], user: ApiUser = hq): Promise<FleetctlRun> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, user.token, at('xdg'), args);
  const rows = (table: string) => fleet.services.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const failedWith = (run: FleetctlRun, exit: number, code: RegExp) => {
    assert.equal(run.code, exit, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.match(run.stderr, code);
  };

  before(async () => {
    dir = tempDir();
    writeFileSync(at('offline.pem'), offline.privateKeyPem);
    writeFileSync(at('fleet.pem'), fleetKey.privateKeyPem);
    writeFileSync(at('bundle-1.0.0.tar'), randomBytes(300 * 1024));
    fleet = await startFleet(join(dir.path, 'fleet'), {
      ota: { signingKeyFile: at('fleet.pem'), trustedKeys: [offline.publicKeyPem] },
    });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    viewer = await apiUser(fleet, 'viewer', 'viewer');
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('keygen writes a 0600 PKCS#8 key, prints its id and public key, and never overwrites one', async () => {
    const run = succeeded(await fleetctl(['releases', 'keygen', '--out', at('new.pem')]));
    assert.equal(statSync(at('new.pem')).mode & 0o777, 0o600);
    assert.match(readFileSync(at('new.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    const keyId = /key id\s+([0-9a-f]{16})/.exec(run.stdout)?.[1];
    assert.ok(keyId, run.stdout);
    assert.match(run.stdout, /-----BEGIN PUBLIC KEY-----/);
    const json = JSON.parse(
      succeeded(await fleetctl(['releases', 'keygen', '--out', at('other.pem'), '--json'])).stdout,
    );
    assert.equal(Keyring.fromPems([json.publicKeyPem]).keyIds()[0], json.keyId);
    const before = readFileSync(at('new.pem'), 'utf8');
    failedWith(await fleetctl(['releases', 'keygen', '--out', at('new.pem')]), 2, /exists/);
    assert.equal(readFileSync(at('new.pem'), 'utf8'), before);
  });

  it('manifest → sign offline → publish with a progress bar → list and show by NAME@VERSION', async () => {
    const file = at('bundle-1.0.0.tar');
    succeeded(
      await fleetctl([
        'releases',
        'manifest',
        file,
        '--component',
        'software',
        '--name',
        'cart-runtime',
        '--version',
        '1.0.0',
        '--kinds',
        'cart',
        '--upgrade-from',
        '>=0.9.0 <2.0.0',
        '--out',
        at('m.json'),
      ]),
    );
    const manifest = JSON.parse(readFileSync(at('m.json'), 'utf8')) as ReleaseManifest;
    assert.equal(manifest.artifact.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
    assert.equal(manifest.artifact.mediaType, 'application/x-tar');
    succeeded(await fleetctl(['releases', 'sign', at('m.json'), '--key', at('offline.pem'), '--out', at('s.json')]));
    const signed = JSON.parse(readFileSync(at('s.json'), 'utf8')) as SignedRelease;
    assert.equal(verifySignedRelease(signed, Keyring.fromPems([offline.publicKeyPem])).ok, true);
    // Signing again with the same key replaces its signature rather than adding one.
    const twice = JSON.parse(
      succeeded(await fleetctl(['releases', 'sign', at('s.json'), '--key', at('offline.pem')])).stdout,
    );
    assert.equal(twice.signatures.length, 1);

    const published = succeeded(await fleetctl(['releases', 'publish', file, '--manifest', at('s.json')]));
    assert.match(published.stderr, /uploading \[#{20}\] 100 % 300\.0 KB \/ 300\.0 KB/);
    assert.match(published.stdout, /release\s+cart-runtime@1\.0\.0/);
    assert.match(published.stdout, new RegExp(`${offline.keyId}\\s+yes\\s+yes`));

    const list = succeeded(await fleetctl(['releases', 'list']));
    assert.match(list.stdout, /cart-runtime\s+1\.0\.0\s+software\s+cart\s+300\.0 KB\s+ok/);
    const shown = JSON.parse(succeeded(await fleetctl(['releases', 'show', 'cart-runtime@1.0.0', '--json'])).stdout);
    assert.equal((shown as ReleaseDetail).version, '1.0.0');
    failedWith(await fleetctl(['releases', 'show', 'cart-runtime@9.9.9']), 1, /RELEASE_NOT_FOUND/);
  });

  it('publishes from options alone, signed by the fleet’s key; --json answers the detail', async () => {
    writeFileSync(at('config.json'), JSON.stringify({ volume: 40 }));
    const run = succeeded(
      await fleetctl([
        'releases',
        'publish',
        at('config.json'),
        '--component',
        'config',
        '--name',
        'cart-config',
        '--version',
        '2.0.0',
        '--kinds',
        'cart,speaker',
        '--json',
      ]),
    );
    const detail = JSON.parse(run.stdout) as ReleaseDetail;
    assert.deepEqual(detail.signatureStatus, [{ keyId: fleetKey.keyId, trusted: true, valid: true }]);
    assert.deepEqual(detail.deviceKinds, ['cart', 'speaker']);
  });

  it('refuses bad input with the fleet’s code (exit 1) or a usage error (exit 2), leaving nothing behind', async () => {
    const before = { releases: rows('releases'), artifacts: rows('release_artifacts') };
    writeFileSync(at('other.tar'), randomBytes(1000));
    // The file is not the one the manifest names: refused before the upload.
    failedWith(
      await fleetctl(['releases', 'publish', at('other.tar'), '--manifest', at('s.json')]),
      1,
      /RELEASE_HASH_MISMATCH/,
    );
    // Signed by a key the fleet does not trust: the upload happened (content-addressed), no release.
    const stranger = generateSigningKey();
    writeFileSync(at('stranger.pem'), stranger.privateKeyPem);
    const base = [
      'releases',
      'publish',
      at('other.tar'),
      '--component',
      'software',
      '--name',
      'cart-runtime',
      '--kinds',
      'cart',
    ];
    failedWith(await fleetctl([...base, '--version', '1.1.0', '--key', at('stranger.pem')]), 1, /RELEASE_KEY_UNKNOWN/);
    failedWith(await fleetctl([...base, '--version', '1.0.0']), 1, /RELEASE_EXISTS/);
    failedWith(await fleetctl([...base, '--version', '1.1']), 1, /RELEASE_INVALID: version/);
    failedWith(await fleetctl([...base, '--version', '1.1.0'], viewer), 1, /NOT_AUTHORIZED/);
    failedWith(await fleetctl([...base, '--version', '1.1.0', '--component', 'firmware']), 2, /--component/);
    failedWith(
      await fleetctl(['releases', 'sign', at('m.json'), '--key', at('missing.pem')]),
      2,
      /cannot read the key file/,
    );
    failedWith(
      await fleetctl(['releases', 'sign', at('m.json'), '--key', at('other.tar')]),
      2,
      /not a PEM private key/,
    );
    assert.equal(rows('releases'), before.releases);
    // Positive control: the stranger's upload is the one staged artifact more; a correct publish goes through.
    assert.equal(rows('release_artifacts'), before.artifacts + 1);
    succeeded(await fleetctl([...base, '--version', '1.1.0', '--key', at('offline.pem')]));
    const page = JSON.parse(succeeded(await fleetctl(['releases', 'list', '--name', 'cart-runtime', '--json'])).stdout);
    assert.deepEqual(
      (page as ReleasePage).items.map((r) => r.version),
      ['1.1.0', '1.0.0'],
    );
    succeeded(await fleetctl(['releases', 'rm', 'cart-runtime@1.1.0']));
    assert.equal(rows('releases'), before.releases);
  });
});
