import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/api-client.ts';
import type { Product, ProductPage } from '../../api/types.ts';

/**
 * A catalog product by SKU or words of its name: suggestions from GET /api/catalog/products?q as a datalist. Calls
 * `onPick` with the product once the text is one of the suggested SKUs, with `null` when the field is cleared.
 */
export function ProductPicker({
  value,
  onPick,
  testId = 'product-picker',
  placeholder = 'SKU or name',
}: {
  value: string;
  onPick: (product: Product | null, sku: string) => void;
  testId?: string;
  placeholder?: string;
}) {
  const [text, setText] = useState(value);
  const [found, setFound] = useState<Product[]>([]);
  // The field follows `value` when the parent changes it, not at mount: effects run after the first frame, and
  // what was typed before then would be wiped.
  const followed = useRef(value);
  useEffect(() => {
    if (followed.current === value) return;
    followed.current = value;
    setText(value);
  }, [value]);

  useEffect(() => {
    const q = text.trim();
    if (q.length < 2 || found.some((p) => p.sku === q)) return;
    let live = true;
    const timer = setTimeout(() => {
      api.get<ProductPage>('/api/catalog/products', { q, limit: 10 }).then(
        (page) => live && setFound(page.items),
        () => undefined,
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  // Typed (or pasted) before the suggestions arrived: pick it once they do.
  useEffect(() => {
    const product = found.find((p) => p.sku === text.trim());
    if (product && product.sku !== value) onPick(product, product.sku);
  }, [found]);

  const listId = `${testId}-options`;
  return (
    <>
      <input
        type="search"
        list={listId}
        value={text}
        placeholder={placeholder}
        aria-label="Product"
        data-testid={testId}
        onInput={(e) => {
          const next = (e.currentTarget as HTMLInputElement).value;
          setText(next);
          const product = found.find((p) => p.sku === next.trim());
          if (product) onPick(product, product.sku);
          else if (next.trim() === '') onPick(null, '');
        }}
        onChange={(e) => {
          const next = (e.currentTarget as HTMLInputElement).value.trim();
          const product = found.find((p) => p.sku === next) ?? null;
          onPick(product, next);
        }}
      />
      <datalist id={listId}>
        {found.map((p) => (
          <option key={p.sku} value={p.sku}>
            {p.name.en || p.name.zh} · {p.name.zh}
          </option>
        ))}
      </datalist>
    </>
  );
}
