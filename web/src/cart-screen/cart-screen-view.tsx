import { useEffect, useMemo, useState } from 'preact/hooks';
import type {
  CartScreenAction,
  CartScreenReply,
  CartScreenState,
  ScreenLocale,
  ScreenNotice,
} from '../../../protocol/commerce/cart-screen.ts';
import { ActionButton, LocalButton } from './action-button.tsx';
import { BasketLines } from './basket-lines.tsx';
import { BasketSummary } from './basket-summary.tsx';
import { CheckoutOverlay } from './checkout-overlay.tsx';
import { CouponsPanel } from './coupons-panel.tsx';
import { translator } from './messages.ts';
import { NoticeBar } from './notice-bar.tsx';
import { ProducePicker } from './produce-picker.tsx';
import { PromptOverlay } from './prompt-overlay.tsx';
import { RecognitionPick } from './recognition-pick.tsx';
import { ScreenEnvContext, useScreen } from './screen-context.ts';
import { ScreenHeader } from './screen-header.tsx';
import { StaffKeypad } from './staff-keypad.tsx';
import { WelcomeScreen } from './welcome-screen.tsx';
import './cart-screen.css';

/**
 * The cart screen for one state. With `act` it is the shopper's kiosk (web/cart.html); without, a read-only view
 * with no buttons that act (the console shows a cart's screen to an operator with it). It holds no connection:
 * whoever mounts it brings the state.
 */
export function CartScreenView({
  state,
  act,
  defaultLocale = 'zh',
}: {
  state: CartScreenState;
  act?: (action: CartScreenAction) => Promise<CartScreenReply> | undefined;
  defaultLocale?: ScreenLocale;
}) {
  // The language a shopper chose belongs to their trip (or to the welcome screen, before one): it is derived while
  // rendering, so the next shopper's first frame is already in the default language (an effect would flash the old).
  const [chosen, setChosen] = useState<{ locale: ScreenLocale; trip: string | null }>({
    locale: defaultLocale,
    trip: null,
  });
  const trip = state.session.sessionId;
  const locale = chosen.trip === null || chosen.trip === trip ? chosen.locale : defaultLocale;
  const setLocale = (next: ScreenLocale) => setChosen({ locale: next, trip });
  const [panel, setPanel] = useState<'coupons' | 'staff' | 'end' | null>(null);
  const [refusal, setRefusal] = useState<ScreenNotice | null>(null);
  const idle = state.session.state === 'idle';
  // Older carts' states have no `recognition` (the console's view of a cart not yet updated).
  const recognition = state.recognition ?? null;
  const suggested = recognition?.kind === 'suggest-produce';

  // A new shopper starts in the default language with nothing open.
  useEffect(() => {
    if (idle) setPanel(null);
  }, [idle]);

  const env = useMemo(
    () => ({
      locale,
      t: translator(locale),
      act:
        act &&
        ((action: CartScreenAction) => {
          setRefusal(null);
          void act(action)?.then((reply) => {
            if (!reply.ok) setRefusal({ code: reply.code, message: reply.message, at: Date.now() });
          });
        }),
    }),
    [locale, act],
  );
  const notice = refusal ?? state.notice;
  const dismiss = refusal ? () => setRefusal(null) : env.act && (() => env.act?.({ type: 'dismiss-notice' }));

  return (
    <ScreenEnvContext.Provider value={env}>
      <div class="cs-screen" lang={locale === 'zh' ? 'zh-CN' : 'en'} data-testid="cart-screen" data-locale={locale}>
        <ScreenHeader
          state={state}
          onToggleLocale={() => setLocale(locale === 'zh' ? 'en' : 'zh')}
          onEnd={() => setPanel('end')}
        />
        {!state.online && (
          <div class="cs-offline" data-testid="cs-offline">
            {env.t('offline')}
          </div>
        )}
        {state.attendant && (
          <div class="cs-attendant" data-testid="cs-attendant" data-reason={state.attendant.reason}>
            <strong>{env.t('attendantComing')}</strong>
            <span>{attendantReason(state.attendant.reason, env.t)}</span>
          </div>
        )}
        <main class="cs-main">
          {idle ? (
            <WelcomeScreen />
          ) : (
            <div class="cs-shopping">
              <section class="cs-basket" aria-label={env.t('basketTitle')}>
                <BasketLines state={state} />
              </section>
              <BasketSummary state={state} onCoupons={() => setPanel('coupons')} onStaff={() => setPanel('staff')} />
            </div>
          )}
        </main>
        {notice && <NoticeBar notice={notice} onDismiss={dismiss} />}
        {/* Produce recognition suggested (its bag is in the basket already): the picker opens over the scan prompt. */}
        {!idle && state.produce && (!state.prompt || suggested) && !state.checkout && (
          <ProducePicker produce={state.produce} />
        )}
        {!idle && panel === 'coupons' && !state.prompt && !state.checkout && (
          <CouponsPanel state={state} onClose={() => setPanel(null)} />
        )}
        {state.prompt && !state.checkout && !recognition && <PromptOverlay prompt={state.prompt} />}
        {recognition?.kind === 'pick' && !state.checkout && <RecognitionPick recognition={recognition} />}
        {state.checkout && <CheckoutOverlay checkout={state.checkout} onStaff={() => setPanel('staff')} />}
        {panel === 'staff' && <StaffKeypad onClose={() => setPanel(null)} />}
        {panel === 'end' && !idle && <EndSessionDialog onClose={() => setPanel(null)} />}
      </div>
    </ScreenEnvContext.Provider>
  );
}

function attendantReason(reason: string, t: ReturnType<typeof translator>): string {
  switch (reason) {
    case 'age-check':
    case 'weight-mismatch':
    case 'unknown-item':
    case 'needs-attendant':
    case 'help':
      return t(`attendant.${reason}`);
    default:
      return '';
  }
}

function EndSessionDialog({ onClose }: { onClose: () => void }) {
  const { t, act } = useScreen();
  if (!act) return null;
  return (
    <div class="cs-overlay cs-overlay-top" data-testid="cs-end-dialog">
      <div class="cs-card cs-confirm">
        <h2>{t('endConfirm')}</h2>
        <div class="cs-prompt-actions">
          <ActionButton action={{ type: 'end-session' }} kind="danger" testId="cs-end-yes">
            {t('endYes')}
          </ActionButton>
          <LocalButton onClick={onClose} kind="primary" testId="cs-end-no">
            {t('keepShopping')}
          </LocalButton>
        </div>
      </div>
    </div>
  );
}
