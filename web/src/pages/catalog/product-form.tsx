import { useState } from 'preact/hooks';
import type { Category, Product } from '../../api/types.ts';
import { money, parseYuan } from '../../app/format.ts';
import { categoryTree } from './use-categories.ts';

type Draft = Record<
  | 'sku'
  | 'nameZh'
  | 'nameEn'
  | 'brand'
  | 'categoryId'
  | 'soldBy'
  | 'price'
  | 'gtins'
  | 'plu'
  | 'nominal'
  | 'tolerance'
  | 'tare'
  | 'minAge',
  string
> & { needsAttendant: boolean; available: boolean };

function draftOf(p: Product | null): Draft {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  return {
    sku: p?.sku ?? '',
    nameZh: p?.name.zh ?? '',
    nameEn: p?.name.en ?? '',
    brand: p?.brand ?? '',
    categoryId: p?.categoryId ?? '',
    soldBy: p?.soldBy ?? 'each',
    price: p ? money(p.priceFen).slice(1) : '',
    gtins: p?.gtins.join(' ') ?? '',
    plu: p?.plu ?? '',
    nominal: n(p?.nominalWeightG),
    tolerance: n(p?.weightToleranceG),
    tare: n(p?.tareG),
    minAge: n(p?.minAge),
    needsAttendant: p?.needsAttendant ?? false,
    available: p?.available ?? true,
  };
}

const intOrNull = (s: string) => (s.trim() === '' ? null : Number(s));

/**
 * A product's fields as a form. The server checks the whole product (check digits, duplicates, the category) and
 * answers each problem; the form only turns text into the contract's shape (`priceFen` from yuan).
 */
export function ProductForm({
  product,
  categories,
  readOnly,
  onSave,
}: {
  product: Product | null;
  categories: Category[];
  readOnly: boolean;
  onSave: (product: Product) => Promise<void>;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(product));
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState<string | null>(null);
  const field = (key: keyof Draft) => ({
    value: d[key] as string,
    disabled: readOnly,
    onInput: (e: Event) => setD({ ...d, [key]: (e.currentTarget as HTMLInputElement).value }),
  });

  async function submit(e: Event) {
    e.preventDefault();
    const priceFen = parseYuan(d.price);
    if (priceFen === null) {
      setLocal('The price is in yuan, e.g. 12.30.');
      return;
    }
    setLocal(null);
    setBusy(true);
    try {
      await onSave({
        sku: d.sku.trim(),
        name: { zh: d.nameZh.trim(), en: d.nameEn.trim() },
        brand: d.brand.trim() || null,
        categoryId: d.categoryId,
        soldBy: d.soldBy as Product['soldBy'],
        priceFen,
        gtins: d.gtins.split(/[\s,|]+/).filter(Boolean),
        plu: d.plu.trim() || null,
        nominalWeightG: intOrNull(d.nominal),
        weightToleranceG: intOrNull(d.tolerance),
        tareG: intOrNull(d.tare),
        minAge: intOrNull(d.minAge),
        needsAttendant: d.needsAttendant,
        available: d.available,
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="stack" onSubmit={submit} data-testid="product-form">
      <div class="form-grid">
        <label class="field">
          <span>SKU</span>
          <input {...field('sku')} disabled={readOnly || product !== null} required data-testid="product-sku" />
        </label>
        <label class="field">
          <span>Category</span>
          <select
            {...field('categoryId')}
            onChange={field('categoryId').onInput}
            required
            data-testid="product-category"
          >
            <option value="">Choose…</option>
            {categoryTree(categories).map(({ category, depth }) => (
              <option key={category.id} value={category.id}>
                {'  '.repeat(depth)}
                {category.name.en}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Name (中文)</span>
          <input {...field('nameZh')} required data-testid="product-name-zh" />
        </label>
        <label class="field">
          <span>Name (English)</span>
          <input {...field('nameEn')} required data-testid="product-name-en" />
        </label>
        <label class="field">
          <span>Brand</span>
          <input {...field('brand')} />
        </label>
        <label class="field">
          <span>Sold by</span>
          <select {...field('soldBy')} onChange={field('soldBy').onInput}>
            <option value="each">Each</option>
            <option value="weight">Weight (price per kg)</option>
          </select>
        </label>
        <label class="field">
          <span>Price (¥{d.soldBy === 'weight' ? ' per kg' : ''})</span>
          <input {...field('price')} inputMode="decimal" required data-testid="product-price-input" />
        </label>
        <label class="field">
          <span>GTINs (space separated)</span>
          <input {...field('gtins')} class="mono" data-testid="product-gtins" />
        </label>
        <label class="field">
          <span>PLU</span>
          <input {...field('plu')} class="mono" />
        </label>
        <label class="field">
          <span>Nominal weight (g)</span>
          <input {...field('nominal')} inputMode="numeric" />
        </label>
        <label class="field">
          <span>Weight tolerance (g)</span>
          <input {...field('tolerance')} inputMode="numeric" />
        </label>
        <label class="field">
          <span>Tare (g)</span>
          <input {...field('tare')} inputMode="numeric" />
        </label>
        <label class="field">
          <span>Minimum age</span>
          <input {...field('minAge')} inputMode="numeric" />
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={d.needsAttendant}
          disabled={readOnly}
          onChange={(e) => setD({ ...d, needsAttendant: (e.currentTarget as HTMLInputElement).checked })}
        />
        Needs an attendant
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={d.available}
          disabled={readOnly}
          onChange={(e) => setD({ ...d, available: (e.currentTarget as HTMLInputElement).checked })}
        />
        Available
      </label>
      {local ? <p class="form-error">{local}</p> : null}
      {!readOnly ? (
        <div>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="product-save">
            Save product
          </button>
        </div>
      ) : null}
    </form>
  );
}
