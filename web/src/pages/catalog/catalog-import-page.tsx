import { useState } from 'preact/hooks';
import { ApiError, describeError, upload } from '../../api/api-client.ts';
import type { ImportReport, Me } from '../../api/types.ts';
import { can } from '../../app/session.ts';
import { ErrorState, PageHeader } from '../../components/page-state.tsx';
import { CatalogNav } from './catalog-nav.tsx';
import { ImportReportView } from './import-report.tsx';

interface Picked {
  name: string;
  text: string;
  format: 'csv' | 'json';
}

/** A refused import answers 400 CATALOG_IMPORT_INVALID with the report as details. */
function reportOf(err: unknown): ImportReport | null {
  if (!(err instanceof ApiError) || err.code !== 'CATALOG_IMPORT_INVALID') return null;
  const details = err.details as ImportReport | undefined;
  return details && Array.isArray(details.problems) ? details : null;
}

/**
 * The catalog import: pick a CSV or JSON file, check it (a dry run: every bad row reported, nothing written), then
 * import it, all or nothing. The import button is offered only after a clean check of the same file.
 */
export function CatalogImportPage({ me }: { me: Me }) {
  const [file, setFile] = useState<Picked | null>(null);
  const [table, setTable] = useState<'products' | 'categories'>('products');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (!can(me, 'catalog:write')) return <ErrorState error={new ApiError(403, 'NOT_AUTHORIZED', '')} />;

  async function pick(e: Event) {
    const f = (e.currentTarget as HTMLInputElement).files?.[0];
    setReport(null);
    setError(null);
    if (!f) {
      setFile(null);
      return;
    }
    const text = await f.text();
    const format = f.name.toLowerCase().endsWith('.json') || text.trimStart().startsWith('{') ? 'json' : 'csv';
    setFile({ name: f.name, text, format });
  }

  async function send(dryRun: boolean) {
    if (!file) return;
    setError(null);
    setProgress(0);
    const params = new URLSearchParams({ dryRun: String(dryRun) });
    if (file.format === 'csv') params.set('table', table);
    try {
      const answer = await upload<ImportReport>(
        `/api/catalog/import?${params}`,
        file.text,
        file.format === 'csv' ? 'text/csv' : 'application/json',
        setProgress,
      );
      setReport(answer);
    } catch (err) {
      const refused = reportOf(err);
      if (refused) setReport(refused);
      else {
        setReport(null);
        setError(describeError(err));
      }
    } finally {
      setProgress(null);
    }
  }

  const checked = report?.dryRun && report.problems.length === 0;
  return (
    <div class="page commerce" data-testid="catalog-import-page">
      <PageHeader title="Catalog import" subtitle="Products or categories from a CSV or JSON file; all or nothing" />
      <CatalogNav me={me} active="import" />
      <section class="panel stack">
        <label class="field">
          <span>File</span>
          <input type="file" accept=".csv,.json,text/csv,application/json" onChange={pick} data-testid="import-file" />
        </label>
        {file?.format === 'csv' ? (
          <label class="field">
            <span>The CSV holds</span>
            <select
              value={table}
              onChange={(e) => {
                setTable((e.currentTarget as HTMLSelectElement).value as 'products');
                setReport(null);
              }}
              data-testid="import-table"
            >
              <option value="products">Products</option>
              <option value="categories">Categories</option>
            </select>
          </label>
        ) : null}
        <div class="row-actions">
          <button
            type="button"
            class="btn"
            disabled={!file || progress !== null}
            onClick={() => send(true)}
            data-testid="import-check"
          >
            Check (dry run)
          </button>
          <button
            type="button"
            class="btn btn-primary"
            disabled={!checked || progress !== null}
            onClick={() => send(false)}
            data-testid="import-apply"
          >
            Import
          </button>
        </div>
        {progress !== null ? (
          <progress max={1} value={progress} data-testid="import-progress">
            {Math.round(progress * 100)}%
          </progress>
        ) : null}
        {error ? <p class="form-error">{error}</p> : null}
        {report ? <ImportReportView report={report} /> : null}
      </section>
    </div>
  );
}
