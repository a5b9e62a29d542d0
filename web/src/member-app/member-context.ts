import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type MemberLocale, type Translate, translator } from './messages.ts';

export interface MemberAppContext {
  locale: MemberLocale;
  t: Translate;
}

export const MemberContext = createContext<MemberAppContext>({ locale: 'zh', t: translator('zh') });

export function useMemberContext(): MemberAppContext {
  return useContext(MemberContext);
}
