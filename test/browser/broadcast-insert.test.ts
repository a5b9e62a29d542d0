import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { silentLogger } from '../../platform/log.ts';
import type { BroadcastEmergency, BroadcastInsert } from '../../protocol/api/broadcast-inserts.ts';
import { SimulatedSpeaker } from '../../sim/simulated-speaker.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import { makeAudio } from '../helpers/audio-fixtures.ts';
import { signIn, text } from '../helpers/browser.ts';
import { createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { eventually, tempDir } from '../helpers/fleet-harness.ts';

const SPEAKER = 'spk-ins1';
/** A second speaker whose runtime runs: it takes the inserts and reports them handled. */
const RUNNING = 'spk-ins2';
const SHOTS = process.env.CONSOLE_SHOTS;

/** The API as the page's own user sees it (its session cookie). */
async function apiGet<T>(env: { fleet: { services: { http: { instance?: unknown } } } }, page: Page, url: string) {
  const cookies = await page.context().cookies();
  const http = env.fleet.services.http.instance as { inject(o: object): Promise<{ statusCode: number; json(): T }> };
  const res = await http.inject({
    method: 'GET',
    url,
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
  assert.equal(res.statusCode, 200);
  return res.json();
}

/** Ad-hoc inserts and the emergency in Chromium against a real fleet (content library, inserts, live shadows). */
describe('broadcast inserts and emergency in a browser (asset, time, speakers, confirmation, banner)', function () {
  this.timeout(120_000);
  const fixtures = tempDir('cartfleet-console-insert-audio-');
  after(() => fixtures.cleanup());
  const env = useConsoleFleet('cartfleet-broadcast-insert-', async (env) => {
    const { fleet } = env;
    await createConsoleUsers(fleet);
    const r = await fleet.services.registry.registerDevice({
      thingName: RUNNING,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: XUHUI,
      zoneId: `${XUHUI}-dairy`,
    });
    const speaker = new SimulatedSpeaker(
      {
        thingName: RUNNING,
        endpoint: {
          host: 'localhost',
          port: fleet.services.broker.tlsPort,
          contentPort: fleet.services.deviceHttps.port,
        },
        certDir: join(env.dir.path, RUNNING),
        dataDir: join(env.dir.path, RUNNING, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
        broadcast: { playBatchDelayMs: 50 },
      },
      { certificatePem: r.certificate.certificatePem, privateKeyPem: r.certificate.privateKeyPem, caPem: r.caPem },
      1,
      mulberry32(5),
      silentLogger(),
    );
    await speaker.start();
    env.onStop(() => speaker.stop());
    await fleet.services.registry.registerDevice({
      thingName: SPEAKER,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: XUHUI,
      zoneId: `${XUHUI}-dairy`,
    });
    const meta = (title: string, storeId: string | null) =>
      ({ title, kind: 'speech', origin: 'upload', storeId, createdBy: 'test' }) as const;
    await fleet.services.content.ingestFile(
      makeAudio(fixtures.path, 'hq.wav', 'sine=f=500:d=4', ['-c:a', 'pcm_s16le']),
      meta('HQ notice', null),
    );
    await fleet.services.content.ingestFile(
      makeAudio(fixtures.path, 'xh.wav', 'sine=f=700:d=3', ['-c:a', 'pcm_s16le']),
      meta('Xuhui cheese', XUHUI),
    );
  });

  it('inserts an announcement now and at a store-local time; an emergency, confirmed, shows a banner everywhere until cleared', async () => {
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, `/broadcast/insert?storeId=${XUHUI}`);
    const pick = page.locator('[data-testid="insert-asset"] label', { hasText: 'Xuhui cheese' });
    await pick.locator('input').check();
    const preview = page.getByTestId('insert-preview');
    const [asset] = (
      await apiGet<{ items: { sha256: string; audioUrl: string }[] }>(env, page, '/api/content?q=cheese')
    ).items;
    assert.equal(await preview.getAttribute('src'), asset?.audioUrl, 'the picked asset can be listened to first');
    await page.getByTestId('insert-send').click();
    const row = page.getByTestId('insert-row').first();
    await row.waitFor();
    const [now] = (await apiGet<{ items: BroadcastInsert[] }>(env, page, `/api/stores/${XUHUI}/broadcast/inserts`))
      .items;
    assert.equal(now?.sha256, asset?.sha256);
    assert.equal(now?.thingNames, null, 'every speaker of the store');
    assert.ok(Math.abs((now?.at ?? 0) - Date.now()) < 60_000, 'now');
    // The stopped speaker is offline; the running one downloads the asset, plays it and reports it handled, live.
    const delivery = (thing: string) =>
      row.locator(`[data-testid="insert-delivery"][data-thing="${thing}"]`).getAttribute('data-state');
    assert.equal(await delivery(SPEAKER), 'offline');
    await eventually(async () => (await delivery(RUNNING)) === 'handled', 20_000, 'the running speaker handled it');

    // At 09:30 tomorrow in Shanghai (UTC+8, no DST), on one chosen speaker, whatever the browser's zone.
    const tomorrow = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('insert-later').check();
    await page.getByTestId('insert-at').fill(`${tomorrow}T09:30`);
    await page.getByTestId('insert-all-speakers').uncheck();
    await page.getByTestId(`insert-speaker-${SPEAKER}`).check();
    await page.getByTestId('insert-entry').selectOption('overlay');
    await page.getByTestId('insert-send').click();
    await eventually(async () => (await page.getByTestId('insert-row').count()) === 2, 5000, 'two inserts');
    const later = (
      await apiGet<{ items: BroadcastInsert[] }>(env, page, `/api/stores/${XUHUI}/broadcast/inserts`)
    ).items.find((i) => i.id !== now?.id);
    assert.equal(later?.at, Date.parse(`${tomorrow}T09:30:00+08:00`));
    assert.deepEqual(later?.thingNames, [SPEAKER]);
    assert.equal(later?.entry, 'overlay');

    // An HQ operator watching the same store's speakers.
    const hq = (await env.openPage()).page;
    await signIn(hq, HQ.username, HQ.password, `/broadcast?storeId=${XUHUI}`);
    await hq.getByTestId('now-playing-page').waitFor();
    assert.equal(await hq.getByTestId('emergency-banner').count(), 0);

    // The emergency is deliberate: a first click only asks.
    await page.getByTestId('insert-all-speakers').check();
    await page.getByTestId('emergency-start').click();
    const confirm = page.getByTestId('emergency-confirm');
    await confirm.waitFor();
    assert.match(await text(confirm), /repeat until someone clears it/);
    assert.equal(
      (await apiGet<{ emergency: unknown }>(env, page, `/api/stores/${XUHUI}/broadcast/emergency`)).emergency,
      null,
    );
    await page.getByTestId('emergency-confirm-start').click();
    const banner = page.getByTestId('emergency-banner');
    await banner.waitFor();
    assert.match(await text(banner), /Xuhui cheese/);
    const { emergency } = await apiGet<{ emergency: BroadcastEmergency }>(
      env,
      page,
      `/api/stores/${XUHUI}/broadcast/emergency`,
    );
    assert.equal(emergency.sha256, asset?.sha256);
    assert.ok(await page.getByTestId('insert-send').isDisabled(), 'no inserts over an emergency');
    assert.equal(await page.getByTestId('emergency-start').count(), 0, 'one emergency at a time');
    // The other console learns it live (the speakers' broadcast-insert shadows changed).
    await hq.getByTestId('emergency-banner').waitFor();
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'broadcast-insert.png'), fullPage: true });

    page.once('dialog', (d) => void d.accept());
    await banner.getByTestId('emergency-clear').click();
    await banner.waitFor({ state: 'detached' });
    await hq.getByTestId('emergency-banner').waitFor({ state: 'detached' });
    assert.equal(
      (await apiGet<{ emergency: unknown }>(env, page, `/api/stores/${XUHUI}/broadcast/emergency`)).emergency,
      null,
    );
  });
});
