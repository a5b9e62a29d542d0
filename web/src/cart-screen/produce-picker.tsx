import { useState } from 'preact/hooks';
import type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { ActionButton } from './action-button.tsx';
import { localized, useScreen } from './screen-context.ts';

/** The store's weighed products, searched by name or PLU on the cart; picking one asks for it on the scale. */
export function ProducePicker({ produce }: { produce: NonNullable<CartScreenState['produce']> }) {
  const { t, locale, act } = useScreen();
  const [query, setQuery] = useState(produce.query);
  return (
    <div class="cs-overlay" data-testid="cs-produce">
      <div class="cs-card cs-produce">
        <header class="cs-card-header">
          <h2>{t('produceTitle')}</h2>
          <ActionButton action={{ type: 'close-produce' }} kind="quiet" testId="cs-produce-close">
            {t('close')}
          </ActionButton>
        </header>
        {act && (
          <input
            class="cs-search"
            type="search"
            data-testid="cs-produce-search"
            placeholder={t('produceSearch')}
            value={query}
            maxLength={32}
            onInput={(e) => {
              const value = (e.target as HTMLInputElement).value;
              setQuery(value);
              act({ type: 'search-produce', query: value });
            }}
          />
        )}
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
      </div>
    </div>
  );
}
