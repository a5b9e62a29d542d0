import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MemberAppProfile } from '../../../protocol/api/member-app.ts';
import { EnrolForm } from './enrol-form.tsx';
import { MemberApiError, memberApi, setMemberCsrf } from './member-api.ts';
import { MemberContext } from './member-context.ts';
import { MemberHome } from './member-home.tsx';
import { initialLocale, type MemberLocale, translator } from './messages.ts';
import { SignInForm } from './sign-in-form.tsx';

const LOCALE_KEY = 'cf-member-locale';

type View =
  | { kind: 'loading' }
  | { kind: 'enrol'; token: string }
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; profile: MemberAppProfile };

/** The enrolment link's secret from `#enrol=…`, taken out of the address bar (and the history) at once. */
function takeEnrolToken(): string | null {
  const match = /^#enrol=([A-Za-z0-9_-]{43})$/.exec(window.location.hash);
  if (!window.location.hash) return null;
  history.replaceState(null, '', window.location.pathname);
  return match ? (match[1] as string) : null;
}

/**
 * The member app (`/member`): an enrolment link's PIN form, the sign-in, or the signed-in member's card. Chinese or
 * English, kept on the phone. It knows the fleet only through `/api/member-app`.
 */
export function MemberApp() {
  const [locale, setLocale] = useState<MemberLocale>(() =>
    initialLocale(localStorage.getItem(LOCALE_KEY), navigator.language),
  );
  const context = useMemo(() => ({ locale, t: translator(locale) }), [locale]);
  const [view, setView] = useState<View>(() => {
    const token = takeEnrolToken();
    return token ? { kind: 'enrol', token } : { kind: 'loading' };
  });

  const signedIn = (profile: MemberAppProfile) => {
    setMemberCsrf(profile.csrf);
    setView({ kind: 'signed-in', profile });
  };
  const signedOut = () => {
    setMemberCsrf(null);
    setView({ kind: 'signed-out' });
  };
  const refresh = () => {
    memberApi
      .get<MemberAppProfile>('/me')
      .then(signedIn)
      .catch((err) => {
        if (err instanceof MemberApiError && err.status === 401) signedOut();
      });
  };

  useEffect(() => {
    if (view.kind === 'loading') {
      memberApi
        .get<MemberAppProfile>('/me')
        .then(signedIn)
        .catch(() => signedOut());
    }
  }, [view.kind]);

  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    document.title = context.t('appTitle');
  }, [locale, context]);

  async function signOut() {
    await memberApi.post('/logout').catch(() => undefined);
    signedOut();
  }

  const toggle = () => {
    const next = locale === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LOCALE_KEY, next);
    setLocale(next);
  };

  return (
    <MemberContext.Provider value={context}>
      <div class="ma-app" data-testid="member-app" data-view={view.kind} data-locale={locale}>
        <header class="ma-bar">
          <span class="ma-title">{context.t('appTitle')}</span>
          <button type="button" class="ma-link" onClick={toggle} data-testid="member-lang">
            {context.t('langToggle')}
          </button>
          {view.kind === 'signed-in' ? (
            <button type="button" class="ma-link" onClick={signOut} data-testid="member-signout">
              {context.t('signOut')}
            </button>
          ) : null}
        </header>
        <main>
          {view.kind === 'loading' ? <p class="ma-muted ma-center">{context.t('loading')}</p> : null}
          {view.kind === 'enrol' ? <EnrolForm token={view.token} onSignedIn={signedIn} /> : null}
          {view.kind === 'signed-out' ? <SignInForm onSignedIn={signedIn} /> : null}
          {view.kind === 'signed-in' ? (
            <MemberHome profile={view.profile} refresh={refresh} onSignedOut={signedOut} />
          ) : null}
        </main>
      </div>
    </MemberContext.Provider>
  );
}
