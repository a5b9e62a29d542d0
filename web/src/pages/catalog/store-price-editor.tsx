import { useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Product, StorePricePage } from '../../api/types.ts';
import { money, parseYuan } from '../../app/format.ts';
import { useStores } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { StoreSelect } from '../commerce/store-select.tsx';

/** A store's override of one product's price and availability (`prices:write`, the user's stores only). */
export function StorePriceEditor({ product, initialStoreId }: { product: Product; initialStoreId: string | null }) {
  const stores = useStores();
  const [picked, setPicked] = useState(initialStoreId ?? '');
  const storeId = picked || stores[0]?.id || '';
  const current = useResource(
    () =>
      storeId
        ? api.get<StorePricePage>(`/api/stores/${enc(storeId)}/prices`, { sku: product.sku, limit: 1 })
        : Promise.resolve({ items: [], total: 0 }),
    [storeId, product.sku],
  );
  const override = current.data?.items[0] ?? null;
  const [price, setPrice] = useState('');
  const [available, setAvailable] = useState<'chain' | 'yes' | 'no'>('chain');
  const [error, setError] = useState<{ code: string; text: string } | null>(null);

  async function save() {
    const priceFen = price.trim() === '' ? null : parseYuan(price);
    if (price.trim() !== '' && priceFen === null) {
      setError({ code: 'PRICE_FORMAT', text: 'The price is in yuan, e.g. 12.30; empty keeps the chain price.' });
      return;
    }
    setError(null);
    try {
      await api.put(`/api/stores/${enc(storeId)}/prices/${enc(product.sku)}`, {
        priceFen,
        available: available === 'chain' ? null : available === 'yes',
      });
      toast('success', 'Store price saved');
      current.reload();
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', text: describeError(err) });
    }
  }

  return (
    <div class="stack" data-testid="store-price-editor">
      <StoreSelect stores={stores} value={storeId} all={null} onChange={setPicked} testId="store-price-store" />
      <p class="muted">
        Chain price {money(product.priceFen)}. This store:{' '}
        <strong data-testid="store-price-current">
          {override?.priceFen !== null && override?.priceFen !== undefined ? money(override.priceFen) : 'chain price'}
          {override?.available === false ? ', unavailable' : ''}
        </strong>
      </p>
      <div class="form-grid">
        <label class="field">
          <span>Store price (¥, empty: the chain's)</span>
          <input
            value={price}
            onInput={(e) => setPrice((e.currentTarget as HTMLInputElement).value)}
            data-testid="store-price-input"
          />
        </label>
        <label class="field">
          <span>Available here</span>
          <select
            value={available}
            onChange={(e) => setAvailable((e.currentTarget as HTMLSelectElement).value as 'chain')}
            data-testid="store-price-available"
          >
            <option value="chain">As the chain</option>
            <option value="yes">Yes</option>
            <option value="no">No</option>
          </select>
        </label>
      </div>
      {error ? (
        <p class="form-error" data-testid="store-price-error" data-code={error.code}>
          {error.text}
        </p>
      ) : null}
      <div>
        <button type="button" class="btn" onClick={save} disabled={!storeId} data-testid="store-price-save">
          Save for this store
        </button>
      </div>
    </div>
  );
}
