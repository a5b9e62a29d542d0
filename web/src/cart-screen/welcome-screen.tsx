import { useState } from 'preact/hooks';
import { ActionButton } from './action-button.tsx';
import { useScreen } from './screen-context.ts';

/** Idle: the scanner reads the member QR by itself; a typed code or shopping as a guest start the session too. */
export function WelcomeScreen() {
  const { t, act } = useScreen();
  const [code, setCode] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const trimmed = code.trim();
    if (!trimmed || !act) return;
    act({ type: 'member-code', code: trimmed });
    setCode('');
  };
  return (
    <section class="cs-welcome" data-testid="cs-welcome">
      <h1>{t('welcomeTitle')}</h1>
      <div class="cs-welcome-scan">
        <div class="cs-scan-icon" aria-hidden="true" />
        <div>
          <p class="cs-welcome-lead">{t('welcomeScan')}</p>
          <p class="cs-muted">{t('welcomeScanHint')}</p>
        </div>
      </div>
      {act && (
        <form class="cs-member-form" onSubmit={submit}>
          <label>
            <span>{t('memberCodeLabel')}</span>
            <input
              data-testid="cs-member-code"
              value={code}
              maxLength={64}
              autoComplete="off"
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="cs-btn cs-btn-primary" data-action="member-code" disabled={!code.trim()}>
            {t('memberCodeSubmit')}
          </button>
        </form>
      )}
      <ActionButton action={{ type: 'start' }} kind="quiet" testId="cs-start-guest">
        {t('shopWithout')}
      </ActionButton>
    </section>
  );
}
