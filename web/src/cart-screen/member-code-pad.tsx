import { useState } from 'preact/hooks';
import { MEMBER_CODE_PREFIX, parseMemberCode } from '../../../protocol/commerce/loyalty.ts';
import { LocalButton } from './action-button.tsx';
import { NumericKeypad } from './on-screen-keys.tsx';
import { useScreen } from './screen-context.ts';

/** Member number (12 digits at most), a dot and the 6-digit one-time code: `CFM1.` comes first by itself. */
const MAX_TYPED = 12 + 1 + 6;

/**
 * The member code typed when the scanner cannot read the app's QR (a cracked phone screen): the digits printed
 * under the QR, `{memberNumber}.{otp}`; the keypad puts `CFM1.` in front. OK waits for a code of the right shape.
 */
export function MemberCodePad({ onClose }: { onClose: () => void }) {
  const { t, act } = useScreen();
  const [typed, setTyped] = useState('');
  if (!act) return null;
  const code = `${MEMBER_CODE_PREFIX}.${typed}`;
  const submit = () => {
    act({ type: 'member-code', code });
    onClose();
  };
  const type = (key: string) =>
    setTyped((s) => {
      if (s.length >= MAX_TYPED) return s;
      if (key === '.' && (s === '' || s.includes('.'))) return s;
      return s + key;
    });
  return (
    <div class="cs-overlay cs-overlay-top" data-testid="cs-member-pad">
      <div class="cs-card cs-keypad">
        <header class="cs-card-header">
          <h2>{t('memberCodeTitle')}</h2>
          <LocalButton onClick={onClose} kind="quiet" testId="cs-member-pad-close">
            {t('close')}
          </LocalButton>
        </header>
        <p class="cs-muted">{t('memberCodeHint')}</p>
        <output class="cs-keypad-code cs-keypad-text" data-testid="cs-member-code" aria-live="polite">
          <span class="cs-muted">{MEMBER_CODE_PREFIX}.</span>
          {typed}
        </output>
        <NumericKeypad
          onDigit={type}
          onDot={() => type('.')}
          onBackspace={() => setTyped((s) => s.slice(0, -1))}
          onClear={() => setTyped('')}
          onOk={submit}
          okDisabled={parseMemberCode(code) === null}
          okAction="member-code"
        />
      </div>
    </div>
  );
}
