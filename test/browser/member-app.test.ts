import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { MemberRecord } from '../../fleet/loyalty/member-repository.ts';
import type { MemberAppCode } from '../../protocol/api/member-app.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  decodeQr,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
  signIn,
  text,
} from '../helpers/browser.ts';
import { eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const XUHUI = 'hf-shanghai-xuhui';
const HQ = { username: 'hq', password: 'member-app-hq-password-1' };
const PIN = '480753';
/** A phone in portrait. */
const PHONE = { width: 390, height: 844 };
/** The fleet's fake clock starts exactly at a 30 s step's start (1.8e12 / 30,000 is whole). */
const FLEET_START = 1_800_000_000_000;
/** The phone's clock is this far off the fleet's: the app must show codes by the fleet's time. */
const PHONE_SKEW_MS = 7 * 60_000;
const SHOTS = process.env.CONSOLE_SHOTS;

/**
 * The member app in Chromium at a phone's size against a real fleet (HTTP, SQLite) on a fake clock, the phone on a
 * clock of its own (Playwright's): staff make the enrolment link in the console, the member chooses a PIN, the QR
 * on the phone decodes to a code the fleet's member-login accepts, and it turns to the next code at the end of the
 * fleet's step even with the network gone.
 */
describe('member app in a browser (enrolment link, PIN, live member code, points and coupons)', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let browser: Browser;
  let base: string;
  let member: MemberRecord;
  let open: ConsolePage[] = [];

  before(async () => {
    await ensureWebBuilt();
    dir = tempDir('cartfleet-member-app-');
    clock = new FakeClock(FLEET_START);
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true }, { clock });
    base = `http://127.0.0.1:${fleet.services.http.port}`;
    await fleet.services.access.createUser({ username: HQ.username, displayName: 'HQ', role: 'hq-admin' }, HQ.password);
    const { loyalty } = fleet.services;
    const owner = await loyalty.createMember({ displayName: 'Zhou Min' });
    member = await loyalty.createMember({ displayName: 'Zhou Xiaoyu' });
    const family = await loyalty.createFamily(owner.id);
    await loyalty.addFamilyMember(family.id, member.id);
    await loyalty.points.earn(owner.id, XUHUI, 'mapp-order-1', 1250);
    await loyalty.coupons.issue(
      {
        memberId: member.id,
        promotionId: 'spring-coupon',
        validFrom: FLEET_START,
        validTo: FLEET_START + 7 * 86_400_000,
        minSpendFen: 5000,
      },
      null,
    );
    browser = await launchBrowser();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    await closePages(pages);
  });

  after(async () => {
    await closeBrowser(browser);
    await fleet?.stop();
    dir?.cleanup();
  });

  async function phone(): Promise<Page> {
    const p = await newConsolePage(browser, base, PHONE);
    open.push(p);
    // Installed before the page loads, on the fleet's time plus the skew; it runs on until paused.
    await p.page.clock.install({ time: FLEET_START + PHONE_SKEW_MS });
    return p.page;
  }

  async function shot(page: Page, name: string) {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** The member code the phone's QR shows, as a scanner reads it (once the image has been drawn). */
  const qrOf = (page: Page) => eventually(() => decodeQr(page, 'member-qr'), 5000, 'the member QR decodes');

  /** The member's id if the fleet's member-login (a cart scanning `code` in Xuhui) accepts it now. */
  const acceptedAs = (code: string) => fleet.services.loyalty.login(code, XUHUI).memberId;

  async function enrolmentLink(): Promise<string> {
    const p = await newConsolePage(browser, base);
    open.push(p);
    await signIn(p.page, HQ.username, HQ.password, `/members/${member.id}`);
    await p.page.getByTestId('member-app-link').click();
    const url = p.page.getByTestId('member-app-link-url');
    await url.waitFor();
    const link = await url.inputValue();
    const scanned = await eventually(() => decodeQr(p.page, 'member-app-link-qr'), 5000, 'the link QR decodes');
    assert.equal(scanned, link, 'the QR the member scans is the link');
    return link;
  }

  it('enrols with the link from the console, shows a QR the fleet accepts, and turns it at the step’s end offline', async () => {
    const link = await enrolmentLink();
    const page = await phone();
    const firstCode = page.waitForResponse((r) => r.url().endsWith('/api/member-app/code'));
    await page.goto(link);
    await page.getByTestId('member-enrol').waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the secret leaves the address bar at once');

    await page.getByTestId('member-enrol-pin').fill(PIN);
    await page.getByTestId('member-enrol-again').fill('480754');
    await page.getByTestId('member-enrol-submit').click();
    assert.equal(await page.getByTestId('member-error').getAttribute('data-code'), 'pinMismatch');
    await page.getByTestId('member-enrol-pin').fill('123456');
    await page.getByTestId('member-enrol-again').fill('123456');
    await page.getByTestId('member-enrol-submit').click();
    await page.locator('[data-testid="member-error"][data-code="MEMBER_PIN_WEAK"]').waitFor();
    await page.getByTestId('member-enrol-pin').fill(PIN);
    await page.getByTestId('member-enrol-again').fill(PIN);
    await page.getByTestId('member-enrol-submit').click();
    await page.getByTestId('member-home').waitFor();

    const answer = (await (await firstCode).json()) as MemberAppCode;
    await page.getByTestId('member-qr').waitFor();
    const shown = await qrOf(page);
    assert.equal(shown, answer.current.code, 'the QR is the code of the fleet’s current step');
    assert.equal(acceptedAs(shown), member.id, 'a cart’s member-login accepts what the phone shows');
    assert.equal(await text(page.getByTestId('member-code-text')), shown);
    assert.equal(await text(page.getByTestId('member-points')), '1250', 'the family pool');
    assert.match(await text(page.getByTestId('member-pool')), /Family pool: 2 members/);
    assert.equal(await page.getByTestId('member-coupon').count(), 1);
    assert.match(await text(page.getByTestId('member-coupon')), /On spend over ¥50\.00/);
    await shot(page, 'member-app');

    // The phone loses the network; at the end of the fleet's step it shows the next code at once.
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 10));
    await page.route('**/api/member-app/code', (route) => route.abort());
    clock.jump(30_000);
    await page.clock.fastForward(30_000);
    await page.locator(`[data-testid="member-qr"][data-code="${answer.next.code}"]`).waitFor();
    const next = await qrOf(page);
    assert.equal(next, answer.next.code);
    assert.notEqual(next, shown);
    assert.equal(acceptedAs(next), member.id, 'the new code is the fleet’s current one');
    await page.getByTestId('member-code-countdown').filter({ hasText: 'Reconnecting' }).waitFor();

    // Past what the fleet still accepts the QR goes, rather than show a code no cart takes.
    clock.jump(60_000);
    await page.clock.fastForward(60_000);
    await page.getByTestId('member-code-stale').waitFor();
    assert.equal(await page.getByTestId('member-qr').count(), 0);

    // Back online: the next retry shows the fleet's code of now.
    // (A retry may be on its way as the route goes: the first good answer from here on counts.)
    const fresh = page.waitForResponse((r: Response) => r.url().endsWith('/api/member-app/code') && r.ok());
    await page.unroute('**/api/member-app/code');
    await page.clock.fastForward(5_000);
    const now = (await (await fresh).json()) as MemberAppCode;
    await page.locator(`[data-testid="member-qr"][data-code="${now.current.code}"]`).waitFor();
    assert.equal(acceptedAs(await qrOf(page)), member.id);
  });

  it('signs in with member number and PIN (a wrong PIN: MEMBER_LOGIN_FAILED), in Chinese too, and signs out', async () => {
    const page = await phone();
    await page.goto('/member');
    await page.getByTestId('member-signin').waitFor();
    await page.getByTestId('member-signin-number').fill(member.memberNumber);
    await page.getByTestId('member-signin-pin').fill('480754');
    await page.getByTestId('member-signin-submit').click();
    const error = page.getByTestId('member-error');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-code'), 'MEMBER_LOGIN_FAILED');
    assert.match(await text(error), /Wrong member number or PIN/);
    assert.equal(await page.getByTestId('member-home').count(), 0);

    await page.getByTestId('member-signin-pin').fill(PIN);
    await page.getByTestId('member-signin-submit').click();
    await page.getByTestId('member-qr').waitFor();
    assert.equal(acceptedAs(await qrOf(page)), member.id);

    await page.getByTestId('member-lang').click();
    await page.locator('[data-testid="member-app"][data-locale="zh"]').waitFor();
    assert.match(await text(page.getByTestId('member-pool')), /家庭积分池：2 位成员/);
    assert.match(await text(page.getByTestId('member-coupon')), /满 ¥50\.00 可用/);
    await shot(page, 'member-app-zh');

    // The member's session opens nothing of the operations API (its cookie is not even sent there).
    const staffApi = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    assert.equal(staffApi, 401);

    await page.getByTestId('member-signout').click();
    await page.getByTestId('member-signin').waitFor();
    await page.reload();
    await page.getByTestId('member-signin').waitFor();
  });
});
