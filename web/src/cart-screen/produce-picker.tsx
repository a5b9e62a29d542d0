import { useState } from 'preact/hooks';
import type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { ActionButton } from './action-button.tsx';
import { LetterKeyboard } from './on-screen-keys.tsx';
import { localized, useScreen } from './screen-context.ts';

/** `search-produce`'s limit (protocol/commerce/cart-screen.ts). */
const MAX_QUERY = 32;

/**
 * The store's weighed products, searched on the on-screen keyboard by pinyin initials, name or PLU (the cart
 * searches: commerce/catalog-index.ts); picking one asks for it on the scale. Every key sends the whole query.
 */
export function ProducePicker({ produce }: { produce: NonNullable<CartScreenState['produce']> }) {
  const { t, locale, act } = useScreen();
  const [query, setQuery] = useState(produce.query);
  const search = (next: string) => {
    if (next.length > MAX_QUERY || next === query) return;
    setQuery(next);
    act?.({ type: 'search-produce', query: next });
  };
  return (
    <div class="cs-overlay" data-testid="cs-produce">
      <div class="cs-card cs-produce">
        <header class="cs-card-header">
          <h2>{t('produceTitle')}</h2>
          <ActionButton action={{ type: 'close-produce' }} kind="quiet" testId="cs-produce-close">
            {t('close')}
          </ActionButton>
        </header>
        <output class="cs-search" data-testid="cs-produce-query" data-query={produce.query} aria-live="polite">
          {(act ? query : produce.query) || <span class="cs-muted">{t('produceSearch')}</span>}
        </output>
        {produce.results.length === 0 ? (
          <p class="cs-empty">{t('produceNone')}</p>
        ) : (
          <ul class="cs-produce-grid">
            {produce.results.map((p) => {
              const body = (
                <>
                  <span class="cs-produce-name">{localized(p.name, locale)}</span>
                  <span class="cs-produce-meta">
                    {p.plu && <span class="cs-plu">PLU {p.plu}</span>}
                    <span>{t('perKg', { price: formatYuan(p.priceFen) })}</span>
                  </span>
                </>
              );
              return (
                <li key={p.sku} data-testid="cs-produce-item" data-sku={p.sku}>
                  {act ? (
                    <button
                      type="button"
                      class="cs-produce-tile"
                      data-action="weigh-produce"
                      onClick={() => act({ type: 'weigh-produce', sku: p.sku })}
                    >
                      {body}
                    </button>
                  ) : (
                    <div class="cs-produce-tile">{body}</div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {act && (
          <LetterKeyboard
            onKey={(key) => search(query + key)}
            onBackspace={() => search(query.slice(0, -1))}
            onClear={() => search('')}
          />
        )}
      </div>
    </div>
  );
}
