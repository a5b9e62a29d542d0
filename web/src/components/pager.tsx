import type { ComponentChildren } from 'preact';
import type { Page } from '../api/types.ts';
import { setQuery } from '../app/router.ts';
import type { Resource } from '../app/use-resource.ts';
import { Empty, ErrorState, Loading } from './page-state.tsx';

export function Pager({
  total,
  limit,
  offset,
  onChange,
}: {
  total: number;
  limit: number;
  offset: number;
  onChange: (offset: number) => void;
}) {
  if (total <= 0) return null;
  const from = Math.min(total, offset + 1);
  const to = Math.min(total, offset + limit);
  return (
    <nav class="pager" aria-label="Pages" data-testid="pager">
      <span class="muted tabular">
        {from}–{to} of {total}
      </span>
      <button
        type="button"
        class="btn btn-small"
        disabled={offset <= 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button type="button" class="btn btn-small" disabled={to >= total} onClick={() => onChange(offset + limit)}>
        Next
      </button>
    </nav>
  );
}

/** The page offset in the URL query (`?offset=`), 0 when absent or invalid. */
export function queryOffset(query: URLSearchParams): number {
  return Number(query.get('offset') ?? 0) || 0;
}

/**
 * A server-paged list whose page is in the URL query: the error, loading and empty states, the items, and a pager
 * that moves `?offset=`.
 */
export function PagedList<T>({
  list,
  limit,
  offset,
  empty,
  children,
}: {
  list: Resource<Page<T>>;
  limit: number;
  offset: number;
  empty: ComponentChildren;
  children: (items: T[]) => ComponentChildren;
}) {
  const { data, error, reload } = list;
  return (
    <>
      {error && !data ? (
        <ErrorState error={error} onRetry={reload} />
      ) : !data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        children(data.items)
      )}
      {data ? (
        <Pager
          total={data.total}
          limit={limit}
          offset={offset}
          onChange={(o) => setQuery({ offset: o || null }, false)}
        />
      ) : null}
    </>
  );
}
