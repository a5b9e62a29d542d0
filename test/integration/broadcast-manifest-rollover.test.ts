import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { BROADCAST_SHADOW, MIN_HORIZON_DAYS } from '../../protocol/broadcast/manifest.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';
import { FakeContentFiles, FakeManifestSource } from '../mocks/fake-manifest-source.ts';

const STORE = 'hf-shanghai-xuhui';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('ManifestPublisher on the fleet clock: debounce and the daily rollover', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let clock: FakeClock;
  let source: FakeManifestSource;
  const day0 = Date.UTC(2027, 0, 4);

  before(async () => {
    dir = tempDir();
    clock = new FakeClock(day0 + 12 * HOUR);
    source = new FakeManifestSource();
    const files = new FakeContentFiles(`${dir.path}/library`);
    source.setSpeakers(STORE, ['spk-ro1']);
    source.setAssets('spk-ro1', [files.add(Buffer.from('jingle'))]);
    fleet = await startFleet(
      `${dir.path}/fleet`,
      { seedDemoData: true, broadcastDelivery: { debounceMs: 1000, rolloverCheckMs: 60_000 } },
      { clock, extensions: { manifestSource: source, contentFiles: files } },
    );
    await fleet.services.registry.registerDevice({
      thingName: 'spk-ro1',
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: STORE,
    });
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  const desired = () =>
    fleet.services.shadows.find('spk-ro1', BROADCAST_SHADOW)?.state.desired?.manifest as
      | { version: number }
      | undefined;

  it('compiles once for changes within the debounce, and announces in the named shadow', async () => {
    clock.advance(1000);
    await eventually(() => desired()?.version === 1, 5000, 'version 1 announced');
    const compiled = source.compiled.get('spk-ro1');
    fleet.bus.emit('broadcast.schedule.changed', { storeIds: [STORE] });
    clock.advance(500);
    fleet.bus.emit('broadcast.schedule.changed', { storeIds: null });
    clock.advance(999);
    assert.equal(source.compiled.get('spk-ro1'), compiled, 'nothing compiled before the changes settle');
    clock.advance(1);
    await eventually(() => source.compiled.get('spk-ro1') === (compiled ?? 0) + 1, 5000, 'one compilation');
    await fleet.services.manifests.flush();
    assert.equal(desired()?.version, 1, 'same content: no new version');
  });

  it(`recompiles when the horizon no longer reaches ${MIN_HORIZON_DAYS} days ahead`, async () => {
    const compiled = source.compiled.get('spk-ro1') ?? 0;
    clock.advance(11 * HOUR); // 23:00 of day 0: the horizon (day 0 + 8 days) still reaches 7 days ahead
    assert.equal(source.compiled.get('spk-ro1'), compiled, 'no rollover within the day');
    clock.advance(HOUR + 60_000); // 00:01 of day 1
    await eventually(() => desired()?.version === 2, 5000, 'version 2 after the day passed');
    const latest = fleet.services.manifests.latest('spk-ro1');
    assert.equal(latest?.horizonFrom, day0 + DAY, 'the horizon starts with the new day');
    assert.ok((latest?.horizonTo ?? 0) - clock.now() >= MIN_HORIZON_DAYS * DAY);
  });

  it('refuses to publish a compiled manifest that breaks the schema (MANIFEST_INVALID), and stores nothing', async () => {
    const before = fleet.services.manifests.latest('spk-ro1');
    source.tamper = (m) => ({ ...m, volume: [{ from: m.from, to: m.to, volume: 150 }] });
    await assert.rejects(fleet.services.manifests.publish('spk-ro1'), (err: unknown) =>
      isFleetError(err, 'MANIFEST_INVALID'),
    );
    assert.equal(fleet.services.manifests.latest('spk-ro1')?.version, before?.version, 'no version made');
    assert.equal(desired()?.version, before?.version, 'nothing announced');
    // Positive control: the same change within range is published.
    source.tamper = (m) => ({ ...m, volume: [{ from: m.from, to: m.to, volume: 80 }] });
    const next = await fleet.services.manifests.publish('spk-ro1');
    assert.equal(next?.version, (before?.version ?? 0) + 1);
    source.tamper = undefined;
  });
});
