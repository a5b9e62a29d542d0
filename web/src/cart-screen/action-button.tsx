import type { ComponentChildren } from 'preact';
import type { CartScreenAction } from '../../../protocol/commerce/cart-screen.ts';
import { useScreen } from './screen-context.ts';

export type ButtonKind = 'primary' | 'secondary' | 'danger' | 'quiet';

/**
 * A button that sends one action to the cart. In the read-only view (no `act`) it is not rendered at all, so an
 * operator watching a cart cannot press anything by mistake.
 */
export function ActionButton({
  action,
  kind = 'secondary',
  disabled,
  testId,
  children,
}: {
  action: CartScreenAction;
  kind?: ButtonKind;
  disabled?: boolean;
  testId?: string;
  children: ComponentChildren;
}) {
  const { act } = useScreen();
  if (!act) return null;
  return (
    <button
      type="button"
      class={`cs-btn cs-btn-${kind}`}
      data-action={action.type}
      data-testid={testId}
      disabled={disabled}
      onClick={() => act(action)}
    >
      {children}
    </button>
  );
}

/** A button for the screen's own UI (opening a panel): also absent in the read-only view. */
export function LocalButton({
  onClick,
  kind = 'secondary',
  testId,
  children,
}: {
  onClick: () => void;
  kind?: ButtonKind;
  testId?: string;
  children: ComponentChildren;
}) {
  const { act } = useScreen();
  if (!act) return null;
  return (
    <button type="button" class={`cs-btn cs-btn-${kind}`} data-testid={testId} onClick={onClick}>
      {children}
    </button>
  );
}
