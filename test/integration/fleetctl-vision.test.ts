import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import type { FieldAccuracyReport, GalleryBuildResult, StoreVision } from '../../protocol/api/vision.ts';
import { packagedProduct } from '../fixtures/vision/enrolment-catalog.ts';
import { productPhoto, writeTinyEmbedderDir } from '../fixtures/vision/tiny-image-embedder.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';

const XUHUI = 'hf-shanghai-xuhui';

describe('fleetctl gallery and vision (real fleet, CLI in a child process)', function () {
  // Each fleetctl run starts a Node process with tsx (about a second alone, several on a loaded machine).
  this.timeout(180_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let viewer: ApiUser;
  const at = (name: string) => join(dir.path, name);
  const fleetctl = (args: string[], user: ApiUser = hq): Promise<FleetctlRun> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, user.token, at('xdg'), args);

  before(async () => {
    dir = tempDir();
    writeFileSync(at('fleet.pem'), generateSigningKey().privateKeyPem, { mode: 0o600 });
    const model = writeTinyEmbedderDir(at('embedder'));
    fleet = await startFleet(at('fleet'), {
      seedDemoData: true,
      ota: { signingKeyFile: at('fleet.pem') },
      vision: { modelDir: model.dir, buildDebounceMs: 3_600_000 },
    });
    await fleet.services.catalog.putCategory('c-food', {
      id: 'c-food',
      parentId: null,
      name: { zh: '食品', en: 'Food' },
    });
    await fleet.services.catalog.putProduct(
      'c-tea',
      packagedProduct('c-tea', { zh: '茶', en: 'Tea' }, 'c-food', {
        priceFen: 1500,
        nominalWeightG: 250,
        weightToleranceG: 10,
      }),
    );
    for (const variant of [0, 1, 2]) writeFileSync(at(`tea-${variant}.jpg`), await productPhoto(120, { variant }));
    writeFileSync(at('not-a-photo.png'), 'hello');
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    viewer = await apiUser(fleet, 'viewer', 'viewer');
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('enrols, builds and shows the status, as text and --json', async () => {
    const enrol = succeeded(await fleetctl(['gallery', 'enrol', XUHUI, 'c-tea', at('tea-0.jpg'), at('tea-1.jpg')]));
    assert.match(enrol.stdout, /c-tea is not recognisable yet: 2 photo\(s\): at least 3 are needed/);
    const third = succeeded(await fleetctl(['gallery', 'enrol', XUHUI, 'c-tea', at('tea-2.jpg'), '--json']));
    assert.equal((JSON.parse(third.stdout) as { product: { recognisable: boolean } }).product.recognisable, true);
    const build = succeeded(await fleetctl(['gallery', 'build', XUHUI, '--json']));
    const result = JSON.parse(build.stdout) as GalleryBuildResult;
    assert.equal(result.built, true);
    assert.equal(result.version?.products, 1);
    const status = JSON.parse(
      succeeded(await fleetctl(['gallery', 'status', XUHUI, '--json'], viewer)).stdout,
    ) as StoreVision;
    assert.equal(status.latestVersion?.version, 1);
    const text = succeeded(await fleetctl(['gallery', 'photos', XUHUI], viewer));
    assert.match(text.stdout, /c-tea\s+Tea\s+3\s+0\s+yes\s+1/);
  });

  it('refuses a file that is not an image, and a viewer enrolling, with the fleet’s codes', async () => {
    const bad = await fleetctl(['gallery', 'enrol', XUHUI, 'c-tea', at('not-a-photo.png')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /VISION_IMAGE_INVALID/);
    const viewerRun = await fleetctl(['gallery', 'build', XUHUI], viewer);
    assert.notEqual(viewerRun.code, 0);
    assert.match(viewerRun.stderr, /NOT_AUTHORIZED/);
  });

  it('prints field accuracy as --json', async () => {
    const run = succeeded(await fleetctl(['vision', 'accuracy', '--store', XUHUI, '--json'], viewer));
    const report = JSON.parse(run.stdout) as FieldAccuracyReport;
    assert.equal(report.storeId, XUHUI);
    assert.equal(report.records, 0);
    succeeded(await fleetctl(['vision', 'accuracy'], viewer));
  });
});
