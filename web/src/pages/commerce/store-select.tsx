import type { Store } from '../../api/types.ts';

/** The stores filter of a commerce list: the user's stores only (GET /api/stores is already scoped). */
export function StoreSelect({
  stores,
  value,
  onChange,
  all = 'All my stores',
  testId = 'filter-store',
}: {
  stores: Store[];
  value: string;
  onChange: (storeId: string) => void;
  all?: string | null;
  testId?: string;
}) {
  return (
    <select
      value={value}
      onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
      aria-label="Store"
      data-testid={testId}
    >
      {all !== null ? <option value="">{all}</option> : null}
      {stores.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </select>
  );
}
