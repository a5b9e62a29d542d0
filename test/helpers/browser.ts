import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQRModule from 'jsqr';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const webDir = join(repoRoot, 'web');
const PAGES = ['index.html', 'cart.html', 'member.html'];
const builtPages = PAGES.map((page) => join(webDir, 'dist', page));

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

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
 * Builds the console, the cart screen and the member app into web/dist when either is missing or older than its sources (the fleet
 * server serves web/dist, and decides whether it exists when it starts, so call this before starting the fleet).
 */
export function ensureWebBuilt(): Promise<void> {
  building ??= (async () => {
    const sources = Math.max(
      newestMtime(join(webDir, 'src')),
      ...PAGES.map((page) => newestMtime(join(webDir, page))),
      newestMtime(join(webDir, 'vite.config.ts')),
      newestMtime(join(repoRoot, 'protocol')),
    );
    if (builtPages.every((page) => existsSync(page) && statSync(page).mtimeMs >= sources)) return;
    const { build } = await import('vite');
    await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  })();
  return building;
}

/**
 * The browser the tests drive; nothing is ever downloaded. In order: `CHROMIUM_PATH` if set; the Chromium that the
 * `@sparticuz/chromium` npm package carries inside itself (Linux x64; unpacked into the temp dir on first use, about
 * 2.5 s), so `npm test` needs no set-up on a fresh machine; Debian's `/usr/bin/chromium` elsewhere.
 */
export async function chromiumPath(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  if (process.platform === 'linux' && process.arch === 'x64') {
    const { default: bundled } = await import('@sparticuz/chromium');
    return bundled.executablePath();
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  throw new Error(
    `no Chromium for ${process.platform}-${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome binary ` +
      `(the bundled one is Linux x64 only)`,
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_ARGS });
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
  // A fixed locale: the bundled headless shell under LANG=C reports `en-US@posix`, which Intl refuses.
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-US' });
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

// jsqr is CommonJS with `export default` in its types: under nodenext the default import is the module object.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

/** Reads the QR code in a screenshot of an element: the pixels as the shopper's phone would see them. */
export async function decodeQr(page: Page, testId: string): Promise<string | null> {
  const png = await page.getByTestId(testId).screenshot();
  const { width, height, data } = await page.evaluate(async (b64) => {
    // The test compiles without the DOM's types: the page's globals are typed here as far as they are used.
    type Img = { src: string; naturalWidth: number; naturalHeight: number; decode(): Promise<void> };
    type Ctx = {
      drawImage(img: Img, x: number, y: number): void;
      getImageData(
        x: number,
        y: number,
        w: number,
        h: number,
      ): { width: number; height: number; data: ArrayLike<number> };
    };
    type Canvas = { width: number; height: number; getContext(kind: '2d'): Ctx | null };
    const page = globalThis as unknown as {
      Image: new () => Img;
      document: { createElement(tag: 'canvas'): Canvas };
      btoa(binary: string): string;
    };
    const img = new page.Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = page.document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    // As base64: an array of 300,000 numbers takes seconds to cross the DevTools protocol, a string does not.
    let binary = '';
    for (let i = 0; i < pixels.data.length; i++) binary += String.fromCharCode(pixels.data[i] as number);
    return { width: pixels.width, height: pixels.height, data: page.btoa(binary) };
  }, png.toString('base64'));
  return jsQR(new Uint8ClampedArray(Buffer.from(data, 'base64')), width, height)?.data ?? null;
}
