import type { ScreenRecognition } from '../../../protocol/commerce/cart-screen.ts';
import { ActionButton } from './action-button.tsx';
import { localized, useScreen } from './screen-context.ts';

/**
 * The camera was unsure (issue 11 item 6): the likeliest products with their gallery photos for the shopper to tap,
 * and "none of these — scan it", which closes the pick and leaves the scan prompt. A barcode scanned meanwhile
 * overrides the pick (the cart closes it). Touch only, like the rest of the screen.
 */
export function RecognitionPick({ recognition }: { recognition: ScreenRecognition }) {
  const { t, locale } = useScreen();
  return (
    <div class="cs-overlay" role="alertdialog" data-testid="cs-recognition" data-decision={recognition.decisionId}>
      <div class="cs-card cs-prompt cs-pick">
        <h2>{t('pick.title')}</h2>
        <p class="cs-prompt-detail">{t('pick.detail')}</p>
        <div class="cs-pick-options">
          {recognition.options.map((option) => (
            <ActionButton
              key={option.sku}
              action={{ type: 'pick-recognized', decisionId: recognition.decisionId, sku: option.sku }}
              testId={`cs-pick-${option.sku}`}
            >
              <span class="cs-pick-option">
                {option.thumbnail ? (
                  <img class="cs-pick-photo" src={option.thumbnail} alt="" />
                ) : (
                  <span class="cs-pick-photo cs-pick-photo-none" aria-hidden="true" />
                )}
                <span class="cs-pick-name">{localized(option.name, locale)}</span>
              </span>
            </ActionButton>
          ))}
        </div>
        <div class="cs-prompt-actions">
          <ActionButton
            action={{ type: 'reject-recognized', decisionId: recognition.decisionId }}
            testId="cs-pick-none"
          >
            {t('pick.none')}
          </ActionButton>
        </div>
      </div>
    </div>
  );
}
