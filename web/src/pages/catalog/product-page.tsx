import { useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Me, Product } from '../../api/types.ts';
import { navigate, useLocation } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { ProblemList } from '../promotions/problem-list.tsx';
import { ProductForm } from './product-form.tsx';
import { StorePriceEditor } from './store-price-editor.tsx';
import { useCategories } from './use-categories.ts';

/** One product: its fields (edited by chain-wide roles, catalog:write) and a store's override (prices:write). */
export function ProductPage({ me, sku }: { me: Me; sku: string | null }) {
  const { query } = useLocation();
  const product = useResource(
    () => (sku ? api.get<Product>(`/api/catalog/products/${enc(sku)}`) : Promise.resolve(null)),
    [sku],
  );
  const categories = useCategories();
  const [problems, setProblems] = useState<unknown>(null);
  const [error, setError] = useState<{ code: string; text: string } | null>(null);

  if (product.error && !product.data) return <ErrorState error={product.error} onRetry={product.reload} />;
  if (product.data === undefined || !categories.data) return <Loading />;

  async function save(p: Product) {
    setError(null);
    setProblems(null);
    try {
      const saved = await api.put<Product>(`/api/catalog/products/${enc(p.sku)}`, p);
      toast('success', `Saved ${saved.sku}`);
      if (!sku) navigate(`/catalog/products/${enc(saved.sku)}`);
      else product.mutate(() => saved);
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', text: describeError(err) });
      if (err instanceof ApiError) setProblems(err.details);
    }
  }

  const p = product.data;
  return (
    <div class="page commerce" data-testid="product-page">
      <nav class="breadcrumbs">
        <a href="/catalog">Catalog</a>
        <span aria-hidden="true">/</span>
        <span>{p ? p.sku : 'New product'}</span>
      </nav>
      <PageHeader title={p ? p.name.en : 'New product'} subtitle={p?.name.zh} />
      <section class="panel">
        <h2 class="panel-title">Product</h2>
        <ProductForm product={p} categories={categories.data} readOnly={!can(me, 'catalog:write')} onSave={save} />
        {error ? (
          <p class="form-error" data-testid="product-error" data-code={error.code}>
            {error.text}
          </p>
        ) : null}
        <ProblemList details={problems} />
      </section>
      {p && can(me, 'prices:write') ? (
        <section class="panel">
          <h2 class="panel-title">Store price</h2>
          <StorePriceEditor product={p} initialStoreId={query.get('storeId')} />
        </section>
      ) : null}
    </div>
  );
}
