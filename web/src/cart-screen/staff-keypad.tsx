import { useState } from 'preact/hooks';
import { STAFF_CODE_DIGITS } from '../../../protocol/commerce/orders.ts';
import { LocalButton } from './action-button.tsx';
import { NumericKeypad } from './on-screen-keys.tsx';
import { useScreen } from './screen-context.ts';

/**
 * An attendant's code typed on the cart (age check, attendant-only items, offline payment taken at the desk). The
 * digits are never shown, only how many there are: the shopper stands at the screen while the attendant types.
 */
export function StaffKeypad({ onClose }: { onClose: () => void }) {
  const { t, act } = useScreen();
  const [code, setCode] = useState('');
  if (!act) return null;
  const submit = () => {
    act({ type: 'staff-code', code });
    setCode('');
    onClose();
  };
  return (
    <div class="cs-overlay cs-overlay-top" data-testid="cs-staff">
      <div class="cs-card cs-keypad">
        <header class="cs-card-header">
          <h2>{t('staffTitle')}</h2>
          <LocalButton onClick={onClose} kind="quiet" testId="cs-staff-close">
            {t('close')}
          </LocalButton>
        </header>
        <p class="cs-muted">{t('staffHint')}</p>
        <output class="cs-keypad-code" data-testid="cs-staff-code" data-filled={code.length} aria-live="polite">
          {Array.from({ length: STAFF_CODE_DIGITS }, (_, i) => (
            <span key={i} class={i < code.length ? 'cs-pin cs-pin-filled' : 'cs-pin'}>
              {i < code.length ? '●' : '○'}
            </span>
          ))}
        </output>
        <NumericKeypad
          onDigit={(digit) => setCode((c) => (c.length < STAFF_CODE_DIGITS ? c + digit : c))}
          onBackspace={() => setCode((c) => c.slice(0, -1))}
          onClear={() => setCode('')}
          onOk={submit}
          okDisabled={code.length !== STAFF_CODE_DIGITS}
          okAction="staff-code"
        />
      </div>
    </div>
  );
}
