import { useState } from 'preact/hooks';
import { LocalButton } from './action-button.tsx';
import { useScreen } from './screen-context.ts';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** An attendant's code typed on the cart (age check, attendant-only items, offline payment taken at the desk). */
export function StaffKeypad({ onClose }: { onClose: () => void }) {
  const { t, act } = useScreen();
  const [code, setCode] = useState('');
  if (!act) return null;
  const press = (digit: string) => setCode((c) => (c.length < 6 ? c + digit : c));
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
        <output class="cs-keypad-code" data-testid="cs-staff-code">
          {'•'.repeat(code.length) || '\u00a0'}
        </output>
        <div class="cs-keys">
          {KEYS.map((k) => (
            <button key={k} type="button" class="cs-key" data-testid={`cs-key-${k}`} onClick={() => press(k)}>
              {k}
            </button>
          ))}
          <button type="button" class="cs-key" onClick={() => setCode('')}>
            {t('staffClear')}
          </button>
          <button type="button" class="cs-key" data-testid="cs-key-0" onClick={() => press('0')}>
            0
          </button>
          <button
            type="button"
            class="cs-key cs-key-ok"
            data-action="staff-code"
            data-testid="cs-staff-submit"
            disabled={code.length !== 6}
            onClick={submit}
          >
            {t('staffSubmit')}
          </button>
        </div>
      </div>
    </div>
  );
}
