import { useState } from 'preact/hooks';
import type { MemberAppProfile } from '../../../protocol/api/member-app.ts';
import { asMemberError, ErrorLine } from './error-line.tsx';
import { type MemberApiError, memberApi } from './member-api.ts';
import { useMemberContext } from './member-context.ts';

/** Member number and PIN. */
export function SignInForm({ onSignedIn }: { onSignedIn: (profile: MemberAppProfile) => void }) {
  const { t } = useMemberContext();
  const [memberNumber, setMemberNumber] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MemberApiError | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await memberApi.post<MemberAppProfile>('/login', { memberNumber: memberNumber.trim(), pin }));
    } catch (err) {
      setError(asMemberError(err));
      setPin('');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="ma-panel ma-form" onSubmit={submit} data-testid="member-signin">
      <h1>{t('signInTitle')}</h1>
      <label>
        <span>{t('memberNumber')}</span>
        <input
          value={memberNumber}
          onInput={(e) => setMemberNumber(e.currentTarget.value)}
          inputMode="numeric"
          autoComplete="username"
          pattern="\d{6,12}"
          required
          data-testid="member-signin-number"
        />
      </label>
      <label>
        <span>{t('pin')}</span>
        <input
          type="password"
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
          inputMode="numeric"
          autoComplete="current-password"
          pattern="\d{6}"
          maxLength={6}
          required
          data-testid="member-signin-pin"
        />
      </label>
      <ErrorLine error={error} />
      <button type="submit" class="ma-button" disabled={busy} data-testid="member-signin-submit">
        {t('signIn')}
      </button>
      <p class="ma-hint">{t('signInHint')}</p>
    </form>
  );
}
