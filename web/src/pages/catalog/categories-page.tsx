import type { Me } from '../../api/types.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { CatalogNav } from './catalog-nav.tsx';
import { categoryTree, useCategories } from './use-categories.ts';

/** The category tree (departments, then their categories), each linking to its products. */
export function CategoriesPage({ me }: { me: Me }) {
  const categories = useCategories();
  if (categories.error && !categories.data) return <ErrorState error={categories.error} onRetry={categories.reload} />;
  return (
    <div class="page commerce" data-testid="categories-page">
      <PageHeader title="Categories" subtitle="Changed by importing a categories file (Import)" />
      <CatalogNav me={me} active="categories" />
      <section class="panel">
        {!categories.data ? (
          <Loading />
        ) : (
          <ul class="tree" data-testid="category-tree">
            {categoryTree(categories.data).map(({ category, depth }) => (
              <li key={category.id} style={{ paddingLeft: `${depth * 1.5}rem` }} data-testid="category-node">
                <a href={`/catalog?categoryId=${encodeURIComponent(category.id)}`}>
                  {category.name.en} <span class="muted">{category.name.zh}</span>
                </a>{' '}
                <span class="muted small mono">{category.id}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
