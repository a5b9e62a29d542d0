import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * The fonts the synthetic packaging prints with: two Chinese display faces (with Latin glyphs) from npm
 * (`@fontsource/*`, SIL Open Font License), so that rendering is the same on a fresh machine with no system fonts,
 * and Chinese brand names are glyphs, not empty boxes. Each package splits its font into unicode-range subsets
 * (woff2); every subset is registered under one family name.
 */
export const SYNTHETIC_FONTS = [
  { family: 'CF ZCOOL KuaiLe', pkg: '@fontsource/zcool-kuaile', prefix: 'zcool-kuaile-' },
  { family: 'CF ZCOOL QingKe HuangYou', pkg: '@fontsource/zcool-qingke-huangyou', prefix: 'zcool-qingke-huangyou-' },
] as const;

/** Registers the fonts with Skia once per process (GlobalFonts is process-wide); returns the family names. */
export function registerSyntheticFonts(): string[] {
  const require = createRequire(import.meta.url);
  for (const font of SYNTHETIC_FONTS) {
    if (GlobalFonts.has(font.family)) continue;
    const dir = join(dirname(require.resolve(`${font.pkg}/package.json`)), 'files');
    const files = readdirSync(dir).filter((f) => f.startsWith(font.prefix) && f.endsWith('-400-normal.woff2'));
    let registered = 0;
    for (const file of files) if (GlobalFonts.registerFromPath(join(dir, file), font.family)) registered++;
    if (registered === 0) throw new Error(`no font file of ${font.pkg} could be registered`);
  }
  return SYNTHETIC_FONTS.map((f) => f.family);
}
