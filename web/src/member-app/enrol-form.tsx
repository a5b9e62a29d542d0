import { useState } from 'preact/hooks';
import type { MemberAppProfile } from '../../../protocol/api/member-app.ts';
import { asMemberError, ErrorLine } from './error-line.tsx';
import { type MemberApiError, memberApi } from './member-api.ts';
import { useMemberContext } from './member-context.ts';
import type { MessageKey } from './messages.ts';

/** The enrolment link's page: the member chooses their PIN (twice), which signs them in. */
export function EnrolForm({ token, onSignedIn }: { token: string; onSignedIn: (profile: MemberAppProfile) => void }) {
  const { t } = useMemberContext();
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MemberApiError | MessageKey | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    if (pin !== again) {
      setError('pinMismatch');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await memberApi.post<MemberAppProfile>('/enrol', { token, pin }));
    } catch (err) {
      setError(asMemberError(err));
    } finally {
      setBusy(false);
    }
  }
  const pinInput = (value: string, set: (v: string) => void, testId: string, label: MessageKey) => (
    <label>
      <span>{t(label)}</span>
      <input
        type="password"
        value={value}
        onInput={(e) => set(e.currentTarget.value)}
        inputMode="numeric"
        autoComplete="new-password"
        pattern="\d{6}"
        maxLength={6}
        required
        data-testid={testId}
      />
    </label>
  );
  return (
    <form class="ma-panel ma-form" onSubmit={submit} data-testid="member-enrol">
      <h1>{t('enrolTitle')}</h1>
      <p class="ma-hint">{t('enrolHint')}</p>
      {pinInput(pin, setPin, 'member-enrol-pin', 'newPin')}
      {pinInput(again, setAgain, 'member-enrol-again', 'confirmPin')}
      <ErrorLine error={error} />
      <button type="submit" class="ma-button" disabled={busy} data-testid="member-enrol-submit">
        {t('enrolSubmit')}
      </button>
    </form>
  );
}
