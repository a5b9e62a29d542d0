import type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
import { ActionButton, LocalButton } from './action-button.tsx';
import { localized, useScreen } from './screen-context.ts';

/** Store and member, the language toggle, help and end session: always on top. */
export function ScreenHeader({
  state,
  onToggleLocale,
  onEnd,
}: {
  state: CartScreenState;
  onToggleLocale: () => void;
  onEnd: () => void;
}) {
  const { t, locale } = useScreen();
  const member = state.member;
  const shopping = state.session.state !== 'idle';
  return (
    <header class="cs-header">
      <div class="cs-brand">
        <strong>{state.storeName ?? t('title')}</strong>
        <span class="cs-muted cs-small">{state.thingName}</span>
      </div>
      {shopping && (
        <div class="cs-member" data-testid="cs-member">
          {member ? (
            <>
              <strong data-testid="cs-member-name">{member.displayName}</strong>
              {member.tierName && <span class="cs-tier">{localized(member.tierName, locale)}</span>}
              <span data-testid="cs-member-balance">{t('balance', { points: member.balancePoints })}</span>
              {!member.verified && <span class="cs-small cs-warn">{t('memberUnverified')}</span>}
            </>
          ) : (
            <span>{t('guest')}</span>
          )}
        </div>
      )}
      <div class="cs-header-actions">
        <button
          type="button"
          class="cs-btn cs-btn-quiet"
          data-testid="cs-lang"
          lang={locale === 'zh' ? 'en' : 'zh'}
          onClick={onToggleLocale}
        >
          {t('langToggle')}
        </button>
        <ActionButton action={{ type: 'help' }} testId="cs-help">
          {t('help')}
        </ActionButton>
        {shopping && (
          <LocalButton onClick={onEnd} kind="quiet" testId="cs-end">
            {t('endSession')}
          </LocalButton>
        )}
      </div>
    </header>
  );
}
