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
