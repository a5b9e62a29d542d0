import type { ComponentChildren } from 'preact';
import { useScreen } from './screen-context.ts';

/*
 * The cart's screen is a touch panel with no physical keyboard. Everything the shopper or an attendant types goes
 * through these keys: buttons that change the panel's own state, never a text field. Nothing on the kiosk takes
 * text focus, so the OS never opens its own keyboard over the screen (and a hidden input cannot be focused by
 * mistake). A key acts on `click`, which a mouse and a tap both produce (with `touch-action: manipulation`, a tap
 * clicks at once, without the double-tap-zoom wait).
 */

export function Key({
  id,
  onPress,
  label,
  kind,
  span,
  disabled,
  action,
  children,
}: {
  /** data-testid `cs-key-{id}`: the digit or letter, or backspace, clear, space, dot, ok. */
  id: string;
  onPress: () => void;
  /** The spoken name, when the key shows an icon. */
  label?: string;
  kind?: 'ok' | 'fn';
  span?: number;
  disabled?: boolean;
  /** data-action of a key that sends an action to the cart. */
  action?: string;
  children: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class={kind ? `cs-key cs-key-${kind}` : 'cs-key'}
      style={span ? { gridColumn: `span ${span}` } : undefined}
      data-testid={`cs-key-${id}`}
      data-action={action}
      aria-label={label}
      disabled={disabled}
      onClick={onPress}
    >
      {children}
    </button>
  );
}

/** Drawn, not a glyph: ⌫ (U+232B) is in neither Noto Sans CJK nor the test browser's one font. */
function BackspaceIcon() {
  return (
    <svg class="cs-key-icon" viewBox="0 0 24 16" aria-hidden="true">
      <path d="M7 1h15v14H7L1 8z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
      <path d="M11 5l6 6m0-6l-6 6" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  );
}

export function BackspaceKey({ onPress, span }: { onPress: () => void; span?: number }) {
  const { t } = useScreen();
  return (
    <Key id="backspace" kind="fn" label={t('keyBackspace')} span={span} onPress={onPress}>
      <BackspaceIcon />
    </Key>
  );
}

export function ClearKey({ onPress, span }: { onPress: () => void; span?: number }) {
  const { t } = useScreen();
  return (
    <Key id="clear" kind="fn" span={span} onPress={onPress}>
      {t('keyClear')}
    </Key>
  );
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/**
 * A phone-style keypad: 1–9, then [dot or clear] 0 backspace, then OK across (with clear beside it when the dot
 * took its place). Keys are 3.2em tall: a gloved attendant's thumb.
 */
export function NumericKeypad({
  onDigit,
  onBackspace,
  onClear,
  onOk,
  okDisabled,
  okAction,
  onDot,
}: {
  onDigit: (digit: string) => void;
  onBackspace: () => void;
  onClear: () => void;
  onOk: () => void;
  okDisabled: boolean;
  okAction: string;
  onDot?: () => void;
}) {
  const { t } = useScreen();
  return (
    <div class="cs-keys cs-keys-numeric" data-testid="cs-numeric-keypad">
      {DIGITS.map((d) => (
        <Key key={d} id={d} onPress={() => onDigit(d)}>
          {d}
        </Key>
      ))}
      {onDot ? (
        <Key id="dot" onPress={onDot}>
          .
        </Key>
      ) : (
        <ClearKey onPress={onClear} />
      )}
      <Key id="0" onPress={() => onDigit('0')}>
        0
      </Key>
      <BackspaceKey onPress={onBackspace} />
      {onDot && <ClearKey onPress={onClear} />}
      <Key id="ok" kind="ok" span={onDot ? 2 : 3} disabled={okDisabled} action={okAction} onPress={onOk}>
        {t('keyOk')}
      </Key>
    </div>
  );
}

const LETTER_ROWS = [
  ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
  ['q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p'],
  ['a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l'],
  ['z', 'x', 'c', 'v', 'b', 'n', 'm'],
] as const;

/**
 * Digits and a QWERTY letter board, the layout a Chinese shopper knows from pinyin input on a phone: pinyin
 * initials (PG for 苹果), an English name or a PLU. Keys show capitals and type lower case (the search ignores case).
 */
export function LetterKeyboard({
  onKey,
  onBackspace,
  onClear,
}: {
  onKey: (key: string) => void;
  onBackspace: () => void;
  onClear: () => void;
}) {
  const { t } = useScreen();
  const keys = (row: readonly string[]) =>
    row.map((k) => (
      <Key key={k} id={k} onPress={() => onKey(k)}>
        {k.toUpperCase()}
      </Key>
    ));
  return (
    <div class="cs-keys cs-keys-letters" data-testid="cs-letter-keyboard">
      {keys(LETTER_ROWS[0])}
      {keys(LETTER_ROWS[1])}
      {keys(LETTER_ROWS[2])}
      <BackspaceKey onPress={onBackspace} />
      {keys(LETTER_ROWS[3])}
      <Key id="space" kind="fn" onPress={() => onKey(' ')}>
        {t('keySpace')}
      </Key>
      <ClearKey onPress={onClear} span={2} />
    </div>
  );
}
