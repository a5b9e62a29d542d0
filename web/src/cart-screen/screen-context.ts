import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CartScreenAction, ScreenLocale } from '../../../protocol/commerce/cart-screen.ts';
import type { LocalizedText } from '../../../protocol/commerce/text.ts';
import { type Translate, translator } from './messages.ts';

/** What every part of the screen needs: the locale and its words, and `act` (absent in the read-only view). */
export interface ScreenEnv {
  locale: ScreenLocale;
  t: Translate;
  act: ((action: CartScreenAction) => void) | undefined;
}

export const ScreenEnvContext = createContext<ScreenEnv>({ locale: 'zh', t: translator('zh'), act: undefined });

export const useScreen = (): ScreenEnv => useContext(ScreenEnvContext);

/** A product or promotion name in the screen's language. */
export const localized = (text: LocalizedText | null | undefined, locale: ScreenLocale): string => text?.[locale] ?? '';

/** 350 g, 1.234 kg: integer grams as a shopper reads them (no float rounding). */
export function formatGrams(grams: number): string {
  if (Math.abs(grams) < 1000) return `${grams} g`;
  const abs = Math.abs(grams);
  return `${grams < 0 ? '-' : ''}${Math.floor(abs / 1000)}.${(abs % 1000).toString().padStart(3, '0')} kg`;
}
