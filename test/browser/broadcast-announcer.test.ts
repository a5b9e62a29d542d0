import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Announcement, PreviewResponse } from '../../protocol/api/announcer.ts';
import { loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { signIn, text } from '../helpers/browser.ts';
import { createConsoleUsers, HQ, MANAGER, useConsoleFleet } from '../helpers/console-fleet.ts';
import { eventually } from '../helpers/fleet-harness.ts';

const SHOTS = process.env.CONSOLE_SHOTS;

/** The API as the page's own user, with its session cookie and CSRF token. */
async function asPage(
  env: { fleet: { services: { http: { instance?: unknown } } } },
  page: Page,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
): Promise<{ statusCode: number; body: string; json(): unknown }> {
  const cookies = await page.context().cookies();
  const { csrf } = (await page.evaluate('fetch("/api/auth/me").then((r) => r.json())')) as { csrf: string };
  const http = env.fleet.services.http.instance as {
    inject(o: object): Promise<{ statusCode: number; body: string; json(): unknown }>;
  };
  return http.inject({
    method,
    url,
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-cf-csrf': csrf },
    ...(payload ? { payload } : {}),
  });
}

/** The announcer in Chromium against a real fleet: its own announcer (real eSpeak in a worker) and content library. */
describe('broadcast announcer in a browser (template editor, fields, catalog product, preview, save as asset)', function () {
  this.timeout(120_000);
  const env = useConsoleFleet('cartfleet-broadcast-announcer-', async ({ fleet }) => {
    await createConsoleUsers(fleet);
    await loadDemoCatalog(fleet.services);
  });

  it('previews an unsaved template with a catalog product (played before anything is stored), refuses an unknown field where it is, saves and renders', async () => {
    const { page } = await env.openPage();
    await signIn(page, HQ.username, HQ.password, '/broadcast/announcer');
    await page.getByTestId('template-new').click();
    await page.getByTestId('template-name').fill('Milk promo');
    await page.getByTestId('template-text-zh').click();
    await page.getByTestId('insert-product').click();
    await page.getByTestId('template-text-zh').press('End');
    await page.getByTestId('template-text-zh').pressSequentially('现价');
    await page.getByTestId('insert-price').click();
    assert.equal(await page.getByTestId('template-text-zh').inputValue(), '{product}现价{price}');
    await page.getByTestId('template-text-en').fill('{product}, now only {price}!');
    // The fields the texts name get inputs; the product comes from the catalog.
    await page.getByTestId('speech-field-price').waitFor();
    await page.getByTestId('speech-product').fill('DAIRY-MILK-1-1');
    await eventually(
      async () => (await page.getByTestId('speech-field-product').getAttribute('placeholder'))?.includes('牛奶'),
      5000,
      'the product picked from the catalog fills {product}',
    );
    await page.getByTestId('speech-field-price').fill('9.90');
    await page.getByTestId('speech-preview').click();
    await page.getByTestId('speech-preview-result').waitFor({ timeout: 30_000 });
    // What the fleet says for the same request.
    const same = await asPage(env, page, 'POST', '/api/announcer/preview', {
      text: '{product}现价{price}',
      language: 'zh',
      fields: { price: 990 },
      productId: 'DAIRY-MILK-1-1',
      storeId: null,
      chime: true,
    });
    assert.equal(same.statusCode, 200, same.body);
    const expected = same.json() as PreviewResponse;
    assert.equal(await text(page.getByTestId('speech-spoken')), expected.text);
    assert.match(expected.text, /九块九/, 'the price read as a shopper says it');
    const audio = page.getByTestId('speech-audio');
    assert.match((await audio.getAttribute('src')) ?? '', /^blob:/);
    const seconds = await eventually(
      () =>
        audio.evaluate((el) => {
          const a = el as unknown as { readyState: number; duration: number };
          return a.readyState >= 1 && a.duration;
        }),
      10_000,
      'the preview audio loaded (the CSP lets blob: media through)',
    );
    assert.ok(Math.abs(Number(seconds) * 1000 - expected.durationMs) < 100, `${seconds} s`);
    const templates = async () =>
      ((await asPage(env, page, 'GET', '/api/announcer/templates')).json() as { total: number }).total;
    assert.equal(await templates(), 0, 'a preview stores nothing');

    // An unknown field: refused with where it is, nothing saved.
    await page.getByTestId('template-text-en').fill('{product} for {prize}');
    await page.getByTestId('template-save').click();
    const error = page.getByTestId('template-error');
    await error.waitFor();
    assert.match(await text(error), /field the announcer does not know.*At character 15 of the English text/);
    assert.equal(await templates(), 0);

    await page.getByTestId('template-text-en').fill('{product}, now only {price}!');
    await page.getByTestId('template-save').click();
    await page.locator('[data-testid="template-item"]', { hasText: 'Milk promo' }).waitFor();
    assert.equal(await templates(), 1);
    await page.getByTestId('speech-title').fill('Milk promo zh');
    await page.getByTestId('speech-render').click();
    const made = page.locator('[data-testid="announcement"]', { hasText: 'Milk promo zh' });
    await made.waitFor({ timeout: 30_000 });
    const list = (await asPage(env, page, 'GET', '/api/announcer/announcements')).json() as { items: Announcement[] };
    assert.equal(list.items[0]?.text, expected.text, 'the saved template says what the preview said');
    assert.equal(await made.getAttribute('data-sha256'), list.items[0]?.sha256);
    // The asset is in the library, normalised, where the Library link shows it.
    await page.getByRole('link', { name: 'Library' }).last().click();
    const row = page.locator(`[data-testid="content-row"][data-sha256="${list.items[0]?.sha256}"]`);
    await row.waitFor();
    assert.match(await text(row.getByTestId('content-title')), /Milk promo zh/);
    assert.match(await text(row), /Announcer/);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'broadcast-announcer.png'), fullPage: true });
  });

  it('a store manager edits their store’s templates only; HQ’s is read-only to them', async () => {
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, '/broadcast/announcer');
    const hq = page.locator('[data-testid="template-item"]', { hasText: 'Milk promo' });
    await hq.click();
    await page.getByTestId('template-editor').waitFor();
    assert.equal(await page.getByTestId('template-save').count(), 0, 'no save on HQ’s template');
    assert.ok(
      await page.getByTestId('template-name').evaluate((el) => (el as unknown as { readOnly: boolean }).readOnly),
    );
    await page.getByTestId('template-new').click();
    const owners = await page.getByTestId('template-store').locator('option').allTextContents();
    assert.deepEqual(owners, ['Harbor Foods Xuhui'], 'no HQ template for a store manager');
    await page.getByTestId('template-name').fill('Closing soon');
    await page.getByTestId('template-text-en').fill('We close at {time}.');
    await page.getByTestId('template-default-time').fill('22:00');
    await page.getByTestId('template-save').click();
    await page.locator('[data-testid="template-item"]', { hasText: 'Closing soon' }).waitFor();
    assert.match(
      await text(page.locator('[data-testid="template-item"]', { hasText: 'Closing soon' })),
      /Harbor Foods Xuhui/,
    );
  });
});
