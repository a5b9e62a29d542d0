import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Calendar, CampaignRecord } from '../../protocol/api/broadcast-schedule.ts';
import { loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { makeAudio } from '../helpers/audio-fixtures.ts';
import { signIn, text } from '../helpers/browser.ts';
import { createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { eventually, tempDir } from '../helpers/fleet-harness.ts';

const SPEAKER = 'spk-cal1';
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

describe('broadcast campaigns and calendar in a browser (RRULE builder, layers, opt-out, roles)', function () {
  this.timeout(120_000);
  const fixtures = tempDir('cartfleet-console-schedule-audio-');
  after(() => fixtures.cleanup());
  const env = useConsoleFleet('cartfleet-broadcast-schedule-', async ({ fleet }) => {
    const library = fleet.services.content;
    await createConsoleUsers(fleet);
    await loadDemoCatalog(fleet.services);
    await fleet.services.registry.registerDevice({
      thingName: SPEAKER,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: XUHUI,
      zoneId: `${XUHUI}-dairy`,
    });
    const meta = (title: string, storeId: string | null) =>
      ({ title, kind: 'speech', origin: 'upload', storeId, createdBy: 'test' }) as const;
    await library.ingestFile(
      makeAudio(fixtures.path, 'hq.wav', 'sine=f=500:d=4', ['-c:a', 'pcm_s16le']),
      meta('HQ notice', null),
    );
    await library.ingestFile(
      makeAudio(fixtures.path, 'xh.wav', 'sine=f=700:d=3', ['-c:a', 'pcm_s16le']),
      meta('Xuhui cheese', XUHUI),
    );
  });

  /** Fills the campaign form: daily at 10:00, the asset titled `asset`, starting on time or not at all. */
  async function fillCampaign(page: Page, name: string, asset: string): Promise<void> {
    await page.getByTestId('campaign-name').fill(name);
    await page.locator('[data-testid="campaign-assets"] label', { hasText: asset }).locator('input').check();
    await page.getByTestId('recurrence-times').fill('10:00');
    assert.equal(await text(page.getByTestId('recurrence-built')), 'FREQ=DAILY;BYHOUR=10;BYMINUTE=0');
    await page.getByTestId('campaign-entry').selectOption('overlay');
    await page.getByLabel('May start up to (seconds late)').fill('0');
  }

  it('HQ builds a campaign with the RRULE builder; a bad raw RRULE is refused with its code', async () => {
    const { page } = await env.openPage();
    await signIn(page, HQ.username, HQ.password, `/broadcast/campaigns/new?storeId=${XUHUI}`);
    await fillCampaign(page, 'HQ daily notice', 'HQ notice');
    // The builder refuses times RRULE would cross-multiply, before anything is sent.
    await page.getByTestId('recurrence-times').fill('09:00, 15:30');
    await page.getByTestId('recurrence-problem').waitFor();
    await page.getByTestId('recurrence-times').fill('10:00');
    // The raw RRULE for experts: the fleet's RRULE_INVALID comes back as a readable refusal; nothing is stored.
    await page.getByTestId('recurrence-custom').click();
    assert.equal(await page.getByTestId('recurrence-rule').inputValue(), 'FREQ=DAILY;BYHOUR=10;BYMINUTE=0');
    await page.getByTestId('recurrence-rule').fill('FREQ=HOURLYISH');
    await page.getByTestId('campaign-save').click();
    await page.getByTestId('campaign-problems').waitFor();
    assert.match(await text(page.getByTestId('campaign-problems')), /not valid RFC 5545/);
    assert.equal((await apiGet<CampaignRecord[]>(env, page, '/api/broadcast/campaigns')).length, 0);
    await page.getByTestId('recurrence-rule').fill('FREQ=DAILY;BYHOUR=10;BYMINUTE=0');
    await page.getByTestId('campaign-opt-policy').selectOption('opt_out');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'broadcast-campaign.png'), fullPage: true });
    await page.getByTestId('campaign-save').click();
    await page.getByTestId('campaigns-page').waitFor();
    const row = page.locator('[data-testid="campaign-row"]', { hasText: 'HQ daily notice' });
    await row.waitFor();
    assert.match(await text(row), /Daily at 10:00/);
    const [saved] = await apiGet<CampaignRecord[]>(env, page, '/api/broadcast/campaigns');
    assert.equal(saved?.campaign.layer, 'hq_campaign');
    assert.equal(saved?.campaign.optPolicy, 'opt_out');
    assert.deepEqual(saved?.campaign.stores, { all: true, regions: [], tags: [], storeIds: [] });
    assert.equal(saved?.campaign.maxDelayMs, 0);
  });

  it('a store manager adds a store campaign that wins the moment; the calendar shows the winner and why the other was dropped; opting out removes HQ’s', async () => {
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, `/broadcast/campaigns?storeId=${XUHUI}`);
    const hqRow = page.locator('[data-testid="campaign-row"]', { hasText: 'HQ daily notice' });
    await hqRow.waitFor();
    assert.equal(await hqRow.getByTestId('campaign-open').textContent(), 'View', 'HQ’s campaign is not theirs to edit');
    assert.equal(await text(page.getByTestId('campaign-create')), ' New store campaign');

    await page.getByTestId('campaign-create').click();
    await page.getByTestId('campaign-page').waitFor();
    // HQ-only choices are not offered: the layer is the store's, no chain-wide targets, no opt policy.
    assert.deepEqual(await page.getByTestId('campaign-layer').locator('option').allTextContents(), ['Store campaign']);
    assert.equal(await page.getByTestId('campaign-all-stores').count(), 0);
    assert.equal(await page.getByTestId('campaign-opt-policy').count(), 0);
    await fillCampaign(page, 'Cheese at ten', 'Xuhui cheese');
    await page.getByTestId('campaign-save').click();
    await page.locator('[data-testid="campaign-row"]', { hasText: 'Cheese at ten' }).waitFor();

    await page.getByTestId('broadcast-nav-calendar').click();
    const week = page.locator(`[data-testid="calendar-speaker"][data-thing="${SPEAKER}"]`);
    await week.waitFor();
    await eventually(() => page.getByTestId('calendar-page').getAttribute('data-from'), 5000, 'the week loaded');
    const from = await page.getByTestId('calendar-page').getAttribute('data-from');
    const calendar = await apiGet<Calendar>(env, page, `/api/broadcast/stores/${XUHUI}/calendar?days=7&from=${from}`);
    assert.equal(calendar.from % 60_000, 0, 'the week starts at a local midnight');
    const speaker = calendar.speakers.find((s) => s.thingName === SPEAKER);
    assert.ok(speaker);
    assert.ok(speaker.items.length > 0, 'the fixture: announcements in the week');
    assert.ok(
      speaker.items.every((i) => i.reason.layer === 'store_campaign'),
      'the store campaign won every 10:00',
    );
    assert.ok(speaker.dropped.some((d) => d.layer === 'hq_campaign' && /overridden by store_campaign/.test(d.why)));
    // The page shows what the API compiled: the same announcements, coloured by the winning layer.
    const items = week.getByTestId('cal-item');
    assert.equal(await items.count(), speaker.items.length);
    for (const layer of await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-layer'))))
      assert.equal(layer, 'store_campaign');
    const dropped = week.locator('[data-testid="cal-dropped"][data-layer="hq_campaign"]');
    assert.ok((await dropped.count()) > 0);
    await items.first().hover();
    assert.match(await text(week.getByTestId('calendar-hover')), /Xuhui cheese.*Store campaign won/s);
    await dropped.first().hover();
    assert.match(
      await text(week.getByTestId('calendar-hover')),
      /HQ campaign \(.*\) left out: overridden by store_campaign layer/,
    );
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'broadcast-calendar.png'), fullPage: true });

    // Opting out of HQ's opt-out campaign takes it out of the store: nothing of it is dropped any more either.
    await page.getByTestId('broadcast-nav-campaigns').click();
    await hqRow.getByTestId('campaign-opt-out').click();
    await eventually(
      async () => (await hqRow.getByTestId('campaign-status').getAttribute('data-playing')) === 'false',
      5000,
      'opted out',
    );
    const after = await apiGet<Calendar>(env, page, `/api/broadcast/stores/${XUHUI}/calendar?days=7`);
    assert.ok(!after.speakers.find((s) => s.thingName === SPEAKER)?.dropped.some((d) => d.layer === 'hq_campaign'));
  });

  it('HQ makes a presence promo: the product from the catalog, its window and cooldown, promo speakers', async () => {
    const { page } = await env.openPage();
    await signIn(page, HQ.username, HQ.password, `/broadcast/campaigns/new?storeId=${XUHUI}`);
    await page.getByTestId('campaign-kind').selectOption('promo');
    await page.getByTestId('campaign-promo').waitFor();
    await fillCampaign(page, 'Milk at the shelf', 'HQ notice');
    await page.getByTestId('campaign-product').fill('DAIRY-MILK-1-1');
    // The catalog's suggestion for what was typed (the datalist the picker fills from GET /api/catalog/products).
    await page.locator('#campaign-product-options option[value="DAIRY-MILK-1-1"]').waitFor({ state: 'attached' });
    await page.getByLabel('Cooldown after a play (seconds)').fill('90');
    await page.getByLabel('Window after each occurrence (minutes)').fill('600');
    await page.getByTestId('campaign-save').click();
    await page.locator('[data-testid="campaign-row"]', { hasText: 'Milk at the shelf' }).waitFor();
    const saved = (await apiGet<CampaignRecord[]>(env, page, '/api/broadcast/campaigns')).find(
      (r) => r.campaign.name === 'Milk at the shelf',
    );
    assert.equal(saved?.campaign.kind, 'promo');
    assert.deepEqual(saved?.campaign.speakers.roles, ['promo']);
    assert.equal(saved?.campaign.promo?.productId, 'DAIRY-MILK-1-1');
    assert.equal(saved?.campaign.promo?.cooldownMs, 90_000);
    assert.equal(saved?.campaign.promo?.windowMinutes, 600);
  });
});
