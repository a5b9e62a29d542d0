import { useState } from 'preact/hooks';
import type { ProgrammeRecord, SlotOverride } from '../../../../protocol/api/broadcast-schedule.ts';
import { api, enc } from '../../api/api-client.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { AssetPicker } from './asset-picker.tsx';
import { describeBroadcastError } from './broadcast-errors.ts';
import { ruleText } from './campaigns-page.tsx';
import { newId } from './new-id.ts';

/**
 * A store's overrides of HQ's programme slots (issue 9 item 3): other music, or silence, for some local dates.
 * PUT/DELETE /api/broadcast/stores/:storeId/slot-overrides/:id.
 */
export function SlotOverridesPanel({ storeId }: { storeId: string }) {
  const data = useResource(async () => {
    const [programmes, overrides] = await Promise.all([
      api.get<ProgrammeRecord[]>('/api/broadcast/programmes'),
      api.get<SlotOverride[]>(`/api/broadcast/stores/${enc(storeId)}/slot-overrides`),
    ]);
    return { programmes, overrides };
  }, [storeId]);
  const [slot, setSlot] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [silence, setSilence] = useState(false);
  const [playlist, setPlaylist] = useState<string[]>([]);

  const slots = (data.data?.programmes ?? []).flatMap((p) =>
    p.programme.slots.map((s) => ({ key: `${p.programme.id}/${s.id}`, programme: p.programme, slot: s })),
  );
  const name = (o: SlotOverride) => {
    const found = slots.find((s) => s.key === `${o.programmeId}/${o.slotId}`);
    return found ? `${found.programme.name} · ${ruleText(found.slot.recurrence.rule)}` : `${o.programmeId}/${o.slotId}`;
  };

  const save = async () => {
    const [programmeId, slotId] = slot.split('/');
    if (!programmeId || !slotId) return;
    const id = newId(`${slotId}-${from}`, 'override');
    try {
      await api.put(`/api/broadcast/stores/${enc(storeId)}/slot-overrides/${enc(id)}`, {
        id,
        programmeId,
        slotId,
        storeId,
        fromDate: from,
        untilDate: until || from,
        playlist: silence ? null : playlist,
        shuffle: false,
      });
      toast('success', 'Slot override saved.');
      setPlaylist([]);
      data.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    }
  };

  const remove = async (o: SlotOverride) => {
    try {
      await api.delete(`/api/broadcast/stores/${enc(storeId)}/slot-overrides/${enc(o.id)}`);
      data.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    }
  };

  if (!data.data || slots.length === 0) return null;
  return (
    <section class="panel" data-testid="slot-overrides">
      <header class="panel-header">
        <h2>Music slot overrides</h2>
        <span class="muted small">Replace HQ’s music in this store for some days, or keep it quiet</span>
      </header>
      {data.data.overrides.length ? (
        <ul class="plain-list">
          {data.data.overrides.map((o) => (
            <li key={o.id} class="row gap" data-testid="slot-override">
              <span>
                {name(o)}: {o.fromDate} – {o.untilDate} ·{' '}
                {o.playlist ? `${o.playlist.length} tracks` : <strong>silence</strong>}
              </span>
              <button type="button" class="btn btn-small btn-danger-ghost" onClick={() => remove(o)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="form-grid">
        <label class="field">
          <span>Slot</span>
          <select
            value={slot}
            onChange={(e) => setSlot((e.currentTarget as HTMLSelectElement).value)}
            data-testid="override-slot"
          >
            <option value="">Choose a slot…</option>
            {slots.map((s) => (
              <option key={s.key} value={s.key}>
                {s.programme.name} · {ruleText(s.slot.recurrence.rule)} · {s.slot.durationMinutes} min
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>From – until</span>
          <span class="inline-fields">
            <input
              type="date"
              value={from}
              onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)}
              data-testid="override-from"
            />
            <input
              type="date"
              value={until}
              onInput={(e) => setUntil((e.currentTarget as HTMLInputElement).value)}
              data-testid="override-until"
            />
          </span>
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={silence}
          onChange={(e) => setSilence((e.currentTarget as HTMLInputElement).checked)}
          data-testid="override-silence"
        />
        Silence instead of music
      </label>
      {silence ? null : (
        <AssetPicker
          value={playlist}
          onChange={setPlaylist}
          storeId={storeId}
          kinds={['music']}
          testId="override-playlist"
        />
      )}
      <div class="row-actions">
        <button
          type="button"
          class="btn"
          disabled={!slot || !from || (!silence && playlist.length === 0)}
          onClick={save}
          data-testid="override-save"
        >
          Override the slot
        </button>
      </div>
    </section>
  );
}
