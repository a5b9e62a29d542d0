import type { ImportReport } from '../../api/types.ts';

/** What an import did or would do, and every bad row: row, column, code, message (nothing is written then). */
export function ImportReportView({ report }: { report: ImportReport }) {
  const ok = report.problems.length === 0;
  return (
    <div class="stack" data-testid="import-report" data-ok={ok} data-applied={report.applied}>
      <p class={ok ? 'form-ok' : 'form-error'} data-testid="import-summary">
        {ok
          ? report.applied
            ? `Imported: ${report.products.created} products created, ${report.products.updated} updated; ${report.categories.created} categories created, ${report.categories.updated} updated.`
            : `Ready: ${report.products.rows} product rows and ${report.categories.rows} category rows are valid (${report.products.created} new products, ${report.products.updated} changed). Nothing is written until you import.`
          : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}: nothing was imported. Fix the file and check it again.`}
      </p>
      {!ok ? (
        <div class="table-scroll">
          <table class="table compact" data-testid="import-problems">
            <thead>
              <tr>
                <th>Table</th>
                <th class="num">Row</th>
                <th>Column</th>
                <th>Code</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {report.problems.map((p, i) => (
                <tr key={i} data-testid="import-problem" data-code={p.code}>
                  <td>{p.table}</td>
                  <td class="num tabular">{p.row ?? 'file'}</td>
                  <td class="mono">{p.field ?? '—'}</td>
                  <td class="mono">{p.code}</td>
                  <td class="wrap">{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
