import { useState } from 'preact/hooks';
import { ActionButton, LocalButton } from './action-button.tsx';
import { MemberCodePad } from './member-code-pad.tsx';
import { useScreen } from './screen-context.ts';

/** Idle: the scanner reads the member QR by itself; a code typed on the keypad or shopping as a guest start too. */
export function WelcomeScreen() {
  const { t } = useScreen();
  const [typing, setTyping] = useState(false);
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
      <LocalButton onClick={() => setTyping(true)} kind="secondary" testId="cs-type-member-code">
        {t('memberCodeLabel')}
      </LocalButton>
      <ActionButton action={{ type: 'start' }} kind="quiet" testId="cs-start-guest">
        {t('shopWithout')}
      </ActionButton>
      {typing && <MemberCodePad onClose={() => setTyping(false)} />}
    </section>
  );
}
