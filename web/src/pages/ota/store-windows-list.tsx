import { useState } from 'preact/hooks';
import { api, enc } from '../../api/api-client.ts';
import type { MaintenanceWindows, Store } from '../../api/types.ts';
import { useResource } from '../../app/use-resource.ts';
import { Modal } from '../../components/modal.tsx';
import { MaintenanceWindowsEditor } from './maintenance-windows-editor.tsx';
import { windowWords } from './window-words.ts';

const SHOWN = 20;

/**
 * The windows of the stores a rollout reaches, in words, each editable in place (`rollouts:manage`): the wizard's
 * safety step, so keeping to windows is decided with the windows in view. `onChanged` lets the preview count again.
 */
export function StoreWindowsList({
  stores,
  editable,
  onChanged,
}: {
  stores: Store[];
  editable: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<Store | null>(null);
  const [version, setVersion] = useState(0);
  return (
    <div class="store-windows" data-testid="store-windows">
      <ul class="plain-list">
        {stores.slice(0, SHOWN).map((s) => (
          <StoreWindowsLine key={`${s.id}-${version}`} store={s} editable={editable} onEdit={() => setEditing(s)} />
        ))}
      </ul>
      {stores.length > SHOWN ? (
        <p class="muted small">
          and {stores.length - SHOWN} more stores: see <a href="/updates/windows">Maintenance windows</a>.
        </p>
      ) : null}
      {editing ? (
        <Modal
          title={`Maintenance windows of ${editing.name}`}
          onClose={() => setEditing(null)}
          testId="windows-dialog"
        >
          <MaintenanceWindowsEditor
            store={editing}
            editable={editable}
            onSaved={() => {
              setVersion(version + 1);
              onChanged();
            }}
          />
        </Modal>
      ) : null}
    </div>
  );
}

function StoreWindowsLine({ store, editable, onEdit }: { store: Store; editable: boolean; onEdit: () => void }) {
  const windows = useResource(
    () => api.get<MaintenanceWindows>(`/api/stores/${enc(store.id)}/maintenance-windows`),
    [store.id],
  );
  const list = windows.data?.windows;
  return (
    <li class="store-windows-line" data-testid={`store-windows-${store.id}`} data-count={list?.length ?? ''}>
      <strong>{store.name}</strong>{' '}
      <span class={list && list.length === 0 ? 'text-bad small' : 'muted small'}>
        {windows.error
          ? 'windows could not be read'
          : !list
            ? '…'
            : list.length === 0
              ? 'no window: nothing would be queued here'
              : list.map(windowWords).join('; ')}
      </span>{' '}
      {editable ? (
        <button type="button" class="btn btn-small btn-ghost" onClick={onEdit} data-testid="store-windows-edit">
          Edit
        </button>
      ) : null}
    </li>
  );
}
