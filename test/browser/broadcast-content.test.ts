import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ContentPage } from '../../protocol/api/content.ts';
import { makeAudio } from '../helpers/audio-fixtures.ts';
import { signIn, text } from '../helpers/browser.ts';
import { createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { eventually, tempDir } from '../helpers/fleet-harness.ts';

/** The API as the page's own user sees it (its session cookie). */
async function apiGet<T>(env: { fleet: { services: { http: { instance?: unknown } } } }, page: Page, url: string) {
  const cookies = await page.context().cookies();
  const http = env.fleet.services.http.instance as {
    inject(o: object): Promise<{ statusCode: number; json(): T }>;
  };
  const res = await http.inject({
    method: 'GET',
    url,
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
  assert.equal(res.statusCode, 200);
  return res.json();
}

/** Records every state the upload progress element shows (values between 0 and 1, then normalising). */
async function recordProgress(page: Page): Promise<void> {
  // A string, not a function: tsx would compile a function with a `__name` helper the page does not have.
  await page.evaluate(`(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="upload-progress"]');
      if (!el) return;
      const bar = el.querySelector('progress');
      const entry = el.getAttribute('data-state') === 'sending' ? 'sending:' + (bar ? bar.value : '') : 'normalising';
      if (window.__progress[window.__progress.length - 1] !== entry) window.__progress.push(entry);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
}

describe('broadcast content library in a browser (upload with progress, refusals, playback, removal, roles)', function () {
  this.timeout(120_000);
  const fixtures = tempDir('cartfleet-console-audio-');
  after(() => fixtures.cleanup());
  const env = useConsoleFleet('cartfleet-broadcast-content-', async ({ fleet }) => {
    await createConsoleUsers(fleet);
  });

  it('uploads with a real progress bar, then normalising; the asset plays in the browser and can be removed', async () => {
    // 10 s of 48 kHz mono WAV (~960 KB), quiet: the fleet must raise it to the target.
    const wav = makeAudio(fixtures.path, 'store-welcome.wav', 'sine=f=440:d=10', [
      '-af',
      'volume=-20dB',
      '-ar',
      '48000',
      '-ac',
      '1',
      '-c:a',
      'pcm_s16le',
    ]);
    const { page } = await env.openPage();
    await signIn(page, HQ.username, HQ.password, '/broadcast/content');
    await page.getByTestId('content-upload').waitFor();
    // A slow uplink (about 300 KB/s), so the upload takes seconds and reports its progress on the way.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 300 * 1024,
    });
    await page.getByTestId('upload-file').setInputFiles(wav);
    assert.equal(await page.getByTestId('upload-title').inputValue(), 'store-welcome', 'the title from the file name');
    await page.getByTestId('upload-title').fill('Store welcome');
    await recordProgress(page);
    await page.getByTestId('upload-submit').click();
    const row = page.locator('[data-testid="content-row"]', { hasText: 'Store welcome' });
    await row.waitFor({ timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const states = await page.evaluate(() => (globalThis as unknown as { __progress: string[] }).__progress);
    const fractions = states.filter((s) => s.startsWith('sending:')).map((s) => Number(s.slice(8)));
    assert.ok(
      fractions.some((f) => f > 0.05 && f < 0.95),
      `progress between 0 and 1 was shown: ${states.join(' ')}`,
    );
    assert.deepEqual(
      fractions,
      [...fractions].sort((a, b) => a - b),
      'progress only moves forward',
    );
    assert.equal(states.at(-1), 'normalising', `normalising after the bytes are sent: ${states.join(' ')}`);

    const [asset] = (await apiGet<ContentPage>(env, page, '/api/content?q=welcome')).items;
    assert.ok(asset);
    assert.equal(await row.getAttribute('data-sha256'), asset.sha256);
    assert.equal(await text(row.getByTestId('content-lufs')), `${asset.loudness.integratedLufs.toFixed(1)} LUFS`);
    assert.ok(Math.abs(asset.loudness.integratedLufs + 16) <= 1, 'normalised to −16 LUFS');
    assert.match(
      await text(row.getByTestId('content-dbtp')),
      new RegExp(`^${asset.loudness.truePeakDbtp.toFixed(1)} dBTP`),
    );
    assert.equal(await text(row.getByTestId('content-duration')), '10.0 s');
    assert.equal(Number(await row.getByTestId('waveform').getAttribute('data-points')), asset.waveform.length);
    assert.equal(await row.locator('[data-testid="waveform"] rect').count(), asset.waveform.length);

    // Playback: the browser loads the stored Ogg/Opus from the audio route and knows its length.
    await row.getByTestId('content-play').click();
    const audio = row.getByTestId('content-audio');
    assert.equal(await audio.getAttribute('src'), asset.audioUrl);
    const seconds = await eventually(
      () =>
        audio.evaluate(
          (el) =>
            (el as unknown as { readyState: number; duration: number }).readyState >= 1 &&
            (el as unknown as { duration: number }).duration,
        ),
      10_000,
      'the audio element loaded the asset',
    );
    assert.ok(Math.abs(Number(seconds) - 10) < 0.2, `duration ${seconds}`);
    await shot(page, 'content');

    page.once('dialog', (d) => void d.accept());
    await row.getByTestId('content-remove').click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await apiGet<ContentPage>(env, page, '/api/content?q=welcome')).total, 0);
  });

  it('shows a refused upload with its human message and code, and stores nothing', async () => {
    const corrupt = join(fixtures.path, 'broken.mp3');
    writeFileSync(corrupt, Buffer.from('ID3\u0003\u0000 this is not an mp3 at all '.repeat(200)));
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, '/broadcast/content');
    const before = (await apiGet<ContentPage>(env, page, '/api/content')).total;
    await page.getByTestId('upload-file').setInputFiles(corrupt);
    await page.getByTestId('upload-submit').click();
    const error = page.getByTestId('upload-error');
    await error.waitFor({ timeout: 30_000 });
    assert.equal(await error.getAttribute('data-code'), 'AUDIO_UNDECODABLE');
    assert.match(await text(error), /not audio the fleet can read/);
    assert.equal((await apiGet<ContentPage>(env, page, '/api/content')).total, before, 'nothing stored');
  });

  it('a store manager uploads for their store only and cannot remove HQ content', async () => {
    const jingle = makeAudio(fixtures.path, 'chime.wav', 'sine=f=660:d=1.5', ['-c:a', 'pcm_s16le']);
    const tone = makeAudio(fixtures.path, 'tone.mp3', 'sine=f=523:d=3', ['-c:a', 'libmp3lame']);
    const hqPage = (await env.openPage()).page;
    await signIn(hqPage, HQ.username, HQ.password, '/broadcast/content');
    await hqPage.getByTestId('upload-file').setInputFiles(tone);
    await hqPage.getByTestId('upload-title').fill('HQ tone');
    await hqPage.getByTestId('upload-submit').click();
    await hqPage.locator('[data-testid="content-row"]', { hasText: 'HQ tone' }).waitFor({ timeout: 30_000 });

    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, '/broadcast/content');
    const stores = await page.getByTestId('upload-store').locator('option').allTextContents();
    assert.deepEqual(stores, ['Harbor Foods Xuhui'], 'no "every store (HQ)" choice, only their store');
    await page.getByTestId('upload-file').setInputFiles(jingle);
    await page.getByTestId('upload-title').fill('Xuhui chime');
    await page.getByTestId('upload-kind').selectOption('jingle');
    await page.getByTestId('upload-submit').click();
    const mine = page.locator('[data-testid="content-row"]', { hasText: 'Xuhui chime' });
    await mine.waitFor({ timeout: 30_000 });
    const hqRow = page.locator('[data-testid="content-row"]', { hasText: 'HQ tone' });
    await hqRow.waitFor();
    assert.equal(await mine.getByTestId('content-remove').count(), 1, 'their own asset can be removed');
    assert.equal(await hqRow.getByTestId('content-remove').count(), 0, 'HQ content cannot');
    const { items } = await apiGet<ContentPage>(env, page, '/api/content?q=chime');
    assert.equal(items[0]?.storeId, XUHUI);
    assert.equal(items[0]?.kind, 'jingle');
  });
});

const SHOTS = process.env.CONSOLE_SHOTS;
async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `broadcast-${name}.png`), fullPage: true });
}
