import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMonoWav } from '../../broadcast/announcer/wav.ts';
import type { Announcer } from '../../fleet/broadcast/announcer/announcer.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';

describe('fleetctl announcer (real fleet and eSpeak, CLI in a child process)', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let announcer: Announcer;
  let hq: ApiUser;

  const fleetctl = (args: string[]): Promise<FleetctlRun> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, hq.token, join(dir.path, 'xdg'), args);
  const stored = () => announcer.listAnnouncements({ username: 'hq', storeIds: null }, { limit: 50, offset: 0 }).total;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    announcer = fleet.services.announcer;
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    const template = join(dir.path, 'milk.json');
    writeFileSync(
      template,
      JSON.stringify({
        name: '牛奶',
        text: { zh: '{product}现价{price}！', en: '{product}, now {price}!' },
        storeId: null,
      }),
    );
    succeeded(await fleetctl(['announcer', 'put', 'milk', template]));
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('say previews: prints the words, writes the WAV with --out, stores nothing', async () => {
    const wav = join(dir.path, 'milk.wav');
    const run = succeeded(
      await fleetctl([
        'announcer',
        'say',
        '--template',
        'milk',
        '--field',
        'product=牛奶',
        '--field',
        'price=990',
        '--lang',
        'zh',
        '--out',
        wav,
      ]),
    );
    assert.match(run.stdout, /^牛奶现价九块九！$/m);
    assert.ok(readMonoWav(readFileSync(wav)).samples.length > 0);
    const opus = join(dir.path, 'milk.opus');
    succeeded(await fleetctl(['announcer', 'say', '--text', '欢迎光临', '--out', opus]));
    assert.equal(readFileSync(opus).subarray(0, 4).toString('latin1'), 'OggS');
    assert.equal(stored(), 0);
  });

  it('say --save stores the asset and prints its sha256', async () => {
    const run = succeeded(
      await fleetctl([
        'announcer',
        'say',
        '--template',
        'milk',
        '--field',
        'product=Milk',
        '--field',
        'price=200',
        '--lang',
        'en',
        '--save',
      ]),
    );
    assert.match(run.stdout, /^Milk, now two yuan!$/m);
    const sha256 = /asset\s+([0-9a-f]{64})/.exec(run.stdout)?.[1];
    assert.ok(sha256, run.stdout);
    assert.ok(existsSync(join(dir.path, 'fleet', 'broadcast', 'assets', `${sha256}.opus`)));
    assert.equal(stored(), 1);
  });

  it('refuses a bad field on the command line (exit 2) and a missing template from the fleet (exit 1)', async () => {
    const yuan = await fleetctl([
      'announcer',
      'say',
      '--template',
      'milk',
      '--field',
      'price=9.90',
      '--field',
      'product=x',
    ]);
    assert.equal(yuan.code, 2);
    assert.match(yuan.stderr, /whole number of fen/);
    const unknown = await fleetctl(['announcer', 'say', '--template', 'milk', '--field', 'discount=8']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown field 'discount'/);
    const missing = await fleetctl(['announcer', 'say', '--template', 'nope', '--field', 'product=x']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error TEMPLATE_NOT_FOUND/);
    const noValue = await fleetctl(['announcer', 'say', '--template', 'milk', '--field', 'product=x']);
    assert.equal(noValue.code, 1);
    assert.match(noValue.stderr, /error TEMPLATE_FIELD_MISSING/);
    assert.equal(stored(), 1);
  });
});
