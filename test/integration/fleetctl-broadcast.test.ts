/** fleetctl broadcast: campaigns create/list/show/optout and the calendar table (real fleet, CLI in a child process). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CampaignBody } from '../../protocol/api/broadcast-schedule.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl } from '../helpers/fleetctl-run.ts';
import { FakeAssetCatalog } from '../mocks/fake-asset-catalog.ts';

const A = 'hf-shanghai-xuhui';
/** Monday 2026-03-09 00:00 in Shanghai. */
const MONDAY = '2026-03-09T00:00+08:00';

describe('fleetctl broadcast (real fleet, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  const assets = new FakeAssetCatalog();
  const AD = assets.add('Fresh bread at 4', 'speech', 15_000);

  const fleetctl = (args: string[]): Promise<FleetctlRun> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, hq.token, join(dir.path, 'xdg'), args);

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true },
      { extensions: { broadcastAssets: assets } },
    );
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    await fleet.services.registry.registerDevice({
      thingName: 'spk-a-bx01',
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: A,
    });
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('creates, lists and shows a campaign; a store opts out; the calendar prints the week in local time', async () => {
    const campaign: CampaignBody = {
      id: 'bread',
      name: 'Fresh bread',
      kind: 'announcement',
      layer: 'hq_campaign',
      assets: [AD],
      recurrence: { rule: 'FREQ=DAILY;BYHOUR=16;BYMINUTE=0', validFrom: '2026-01-01', validUntil: null },
      entry: 'between_tracks',
      maxDelayMs: 120_000,
      caps: { maxPerHour: 1, minGapMinutes: null },
      stores: { all: true, regions: [], tags: [], storeIds: [] },
      speakers: { roles: ['broadcast'], zoneIds: [], thingNames: [] },
      optPolicy: 'opt_out',
      promo: null,
    };
    const path = join(dir.path, 'bread.json');
    writeFileSync(path, JSON.stringify(campaign));
    const created = await fleetctl(['broadcast', 'campaigns', 'create', '--file', path]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Campaign bread \(hq_campaign\) saved/);
    const listed = await fleetctl(['broadcast', 'campaigns', 'list', '--store', A]);
    assert.match(listed.stdout, /bread\s+announcement\s+hq_campaign\s+Fresh bread\s+FREQ=DAILY;BYHOUR=16;BYMINUTE=0/);
    const shown = await fleetctl(['broadcast', 'campaigns', 'show', 'bread']);
    assert.deepEqual(JSON.parse(shown.stdout).recurrence.rule, campaign.recurrence.rule);

    const calendar = await fleetctl(['broadcast', 'calendar', '--store', A, '--from', MONDAY, '--days', '2']);
    assert.equal(calendar.code, 0, calendar.stderr);
    assert.match(calendar.stdout, /Store hf-shanghai-xuhui \(Asia\/Shanghai\)/);
    assert.match(calendar.stdout, /spk-a-bx01 \(broadcast\)/);
    const rows = calendar.stdout.split('\n').filter((l) => l.includes('Fresh bread at 4'));
    assert.equal(rows.length, 2, calendar.stdout);
    assert.match(rows[0]!, /16:00:00\s+16:00:15\s+between_tracks\s+hq_campaign/);

    const out = await fleetctl(['broadcast', 'campaigns', 'optout', 'bread', '--store', A]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /opted out of bread/);
    const after = await fleetctl(['broadcast', 'calendar', '--store', A, '--from', MONDAY, '--days', '2']);
    assert.equal(after.stdout.includes('Fresh bread at 4'), false);
    assert.match(after.stdout, /\(nothing scheduled\)/);

    const refused = await fleetctl(['broadcast', 'campaigns', 'optin', 'bread', '--store', A]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /CAMPAIGN_OPT_NOT_ALLOWED/);
    const usage = await fleetctl(['broadcast', 'calendar']);
    assert.equal(usage.code, 2);
  });
});
