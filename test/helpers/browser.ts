import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const webDir = join(repoRoot, 'web');
const builtIndex = join(webDir, 'dist', 'index.html');

/** Debian's chromium: the tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

let building: Promise<void> | undefined;

/**
 * Builds the console into web/dist when it is missing or older than its sources (the fleet server serves web/dist,
 * and decides whether it exists when it starts, so call this before starting the fleet).
 */
export function ensureWebBuilt(): Promise<void> {
  building ??= (async () => {
    const sources = Math.max(
      newestMtime(join(webDir, 'src')),
      newestMtime(join(webDir, 'index.html')),
      newestMtime(join(webDir, 'vite.config.ts')),
    );
    if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sources) return;
    const { build } = await import('vite');
    await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  })();
  return building;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page: a test that ends with entries here has hidden a crash. */
  pageErrors: Error[];
}

/** A fresh context (its own cookies) and page whose relative URLs resolve against `baseURL`. */
export async function newConsolePage(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1280, height: 800 },
): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL, viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (err) => pageErrors.push(err));
  return { context, page, pageErrors };
}

/** Signs in through the login form and waits for the console shell. */
export async function signIn(page: Page, username: string, password: string, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}

/** The text of an element, '' when it has none. */
export const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';

/** Closes a test's pages, then fails the test if any of them threw an uncaught error (a hidden crash). */
export async function closePages(pages: ConsolePage[]): Promise<void> {
  const errors = pages.flatMap((p) => p.pageErrors);
  for (const p of pages) await p.context.close();
  if (errors.length > 0) {
    throw new Error(`uncaught errors in the page: ${errors.map((e) => e.message).join('; ')}`);
  }
}

export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}
