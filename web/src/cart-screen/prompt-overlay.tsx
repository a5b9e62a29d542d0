import type { ScreenPrompt } from '../../../protocol/commerce/cart-screen.ts';
import { ActionButton } from './action-button.tsx';
import type { MessageKey } from './messages.ts';
import { formatGrams, localized, useScreen } from './screen-context.ts';

const DETAIL: Partial<Record<ScreenPrompt['kind'], MessageKey>> = {
  'scan-added': 'prompt.scan-added.detail',
  'unexpected-removal': 'prompt.unexpected-removal.detail',
};

/** What the basket asks of the shopper now (devices/cart/basket), over everything but checkout. */
export function PromptOverlay({ prompt }: { prompt: ScreenPrompt }) {
  const { t, locale } = useScreen();
  const detail = DETAIL[prompt.kind];
  return (
    <div class="cs-overlay" role="alertdialog" data-testid="cs-prompt" data-kind={prompt.kind}>
      <div class="cs-card cs-prompt">
        <div class={`cs-prompt-icon cs-prompt-${prompt.kind}`} aria-hidden="true" />
        <h2>{t(`prompt.${prompt.kind}`)}</h2>
        {prompt.name && <p class="cs-prompt-name">{localized(prompt.name, locale)}</p>}
        {detail && prompt.deltaG !== undefined && (
          <p class="cs-prompt-detail" data-testid="cs-prompt-grams">
            {t(detail, { grams: formatGrams(Math.abs(prompt.deltaG)) })}
          </p>
        )}
        {prompt.kind === 'weigh-produce' && prompt.tareG !== undefined && prompt.tareG > 0 && (
          <p class="cs-prompt-detail">{t('prompt.weigh-produce.detail', { grams: formatGrams(prompt.tareG) })}</p>
        )}
        {prompt.kind === 'confirm-removal' && (
          <div class="cs-prompt-actions">
            <ActionButton action={{ type: 'answer-removal', removed: true }} kind="primary" testId="cs-removal-yes">
              {t('removalYes')}
            </ActionButton>
            <ActionButton action={{ type: 'answer-removal', removed: false }} testId="cs-removal-no">
              {t('removalNo')}
            </ActionButton>
          </div>
        )}
        {prompt.kind === 'unexpected-removal' && (
          <div class="cs-prompt-actions">
            <ActionButton action={{ type: 'help' }} testId="cs-prompt-help">
              {t('help')}
            </ActionButton>
          </div>
        )}
      </div>
    </div>
  );
}
