import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../../api/api-client.ts';
import type { MaintenanceWindow, MaintenanceWindows, Store } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading } from '../../components/page-state.tsx';
import { describeOtaError, detailProblems, errorCode } from './ota-errors.ts';
import { cronShapeOk, WINDOW_PRESETS, windowWords } from './window-words.ts';

/**
 * A store's maintenance windows (`GET|PUT /api/stores/:storeId/maintenance-windows`): when updates may be queued
 * there, as a cron for when each window opens (5 fields, as hawkBit's and AWS IoT Jobs' scheduled windows), how long
 * it stays open and in which zone (the store's by default). Editing needs `rollouts:manage`; the fleet judges the
 * crons and answers every problem at once.
 */
export function MaintenanceWindowsEditor({
  store,
  editable,
  onSaved,
}: {
  store: Store;
  editable: boolean;
  onSaved?: (windows: MaintenanceWindow[]) => void;
}) {
  const loaded = useResource(
    () => api.get<MaintenanceWindows>(`/api/stores/${enc(store.id)}/maintenance-windows`),
    [store.id],
  );
  const [rows, setRows] = useState<MaintenanceWindow[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ code?: string; lines: string[] } | null>(null);
  useEffect(() => {
    if (loaded.data) setRows(loaded.data.windows.map((w) => ({ ...w })));
  }, [loaded.data]);

  if (loaded.error && !loaded.data) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!rows) return <Loading />;
  const dirty = JSON.stringify(rows) !== JSON.stringify(loaded.data?.windows ?? []);
  const setRow = (i: number, patch: Partial<MaintenanceWindow>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const shapeProblems = rows.flatMap((r, i) =>
    cronShapeOk(r.cron) ? [] : [`Window ${i + 1}: a cron has five fields (minute hour day month weekday).`],
  );

  const save = async () => {
    setBusy(true);
    setRefusal(null);
    try {
      const saved = await api.put<MaintenanceWindows>(`/api/stores/${enc(store.id)}/maintenance-windows`, {
        windows: rows,
      });
      toast('success', `Maintenance windows of ${store.name} saved.`);
      loaded.mutate(() => saved ?? { windows: rows });
      onSaved?.(saved?.windows ?? rows);
    } catch (err) {
      setRefusal({ code: errorCode(err), lines: [describeOtaError(err), ...detailProblems(err)] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="windows-editor" data-testid="windows-editor" data-store={store.id}>
      {rows.length === 0 ? (
        <p class="muted" data-testid="windows-none">
          No maintenance window: a rollout that keeps to windows queues nothing in {store.name}.
        </p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Opens (cron)</th>
              <th>Open for (min)</th>
              <th>Time zone</th>
              <th>In words</th>
              {editable ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((w, i) => (
              <tr key={i} data-testid="window-row">
                <td>
                  <input
                    class="mono window-input"
                    value={w.cron}
                    disabled={!editable}
                    onInput={(e) => setRow(i, { cron: (e.currentTarget as HTMLInputElement).value })}
                    data-testid={`window-cron-${i}`}
                  />
                </td>
                <td>
                  <input
                    class="window-input"
                    type="number"
                    min={5}
                    max={1440}
                    value={w.durationMinutes}
                    disabled={!editable}
                    onInput={(e) => setRow(i, { durationMinutes: Number((e.currentTarget as HTMLInputElement).value) })}
                    data-testid={`window-duration-${i}`}
                  />
                </td>
                <td>
                  <input
                    class="window-input"
                    value={w.timeZone}
                    disabled={!editable}
                    onInput={(e) => setRow(i, { timeZone: (e.currentTarget as HTMLInputElement).value })}
                    data-testid={`window-zone-${i}`}
                  />
                </td>
                <td class="muted small" data-testid={`window-words-${i}`}>
                  {windowWords(w)}
                </td>
                {editable ? (
                  <td>
                    <button
                      type="button"
                      class="btn btn-small btn-danger-ghost"
                      onClick={() => setRows(rows.filter((_, j) => j !== i))}
                      data-testid={`window-remove-${i}`}
                    >
                      Remove
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable ? (
        <div class="row-actions">
          {WINDOW_PRESETS.map((p) => (
            <button
              key={p.cron}
              type="button"
              class="btn btn-small"
              disabled={rows.length >= 14}
              onClick={() =>
                setRows([...rows, { cron: p.cron, durationMinutes: p.durationMinutes, timeZone: store.timeZone }])
              }
              data-testid="window-preset"
            >
              + {p.label}
            </button>
          ))}
          <button
            type="button"
            class="btn btn-primary btn-small"
            disabled={!dirty || busy || shapeProblems.length > 0}
            onClick={save}
            data-testid="windows-save"
          >
            {busy ? 'Saving…' : 'Save windows'}
          </button>
        </div>
      ) : null}
      {shapeProblems.length || refusal ? (
        <div class="form-error" role="alert" data-testid="windows-error" data-code={refusal?.code}>
          {[...shapeProblems, ...(refusal?.lines ?? [])].map((l, i) => (
            <div key={i}>{l}</div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
