import { useState } from 'preact/hooks';
import { ASSET_KINDS, type AssetKind } from '../../../../protocol/broadcast/layers.ts';
import { queryString, upload } from '../../api/api-client.ts';
import type { ContentUploadResult, Me, Store } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';
import { describeBroadcastError, errorCode } from './broadcast-errors.ts';

export const KIND_LABELS: Record<AssetKind, string> = { music: 'Music', speech: 'Speech', jingle: 'Jingle' };

type Phase = { state: 'idle' } | { state: 'sending'; fraction: number } | { state: 'normalising' };

/**
 * Upload audio to the library (POST /api/content, the file as the body): a real progress bar from XMLHttpRequest's
 * upload events, then "normalising…" while the fleet measures and normalises it (two-pass EBU R128, seconds).
 */
export function ContentUpload({
  me,
  stores,
  defaultStoreId,
  onUploaded,
}: {
  me: Me;
  stores: Store[];
  defaultStoreId: string | null;
  onUploaded: (result: ContentUploadResult) => void;
}) {
  const chainWide = me.storeIds === null;
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<AssetKind>('music');
  const [storeId, setStoreId] = useState<string>(chainWide ? '' : (defaultStoreId ?? ''));
  const [phase, setPhase] = useState<Phase>({ state: 'idle' });
  const [refusal, setRefusal] = useState<{ code?: string; text: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || !title.trim()) return;
    setRefusal(null);
    setPhase({ state: 'sending', fraction: 0 });
    const type = file.type.startsWith('audio/') ? file.type : 'application/octet-stream';
    try {
      const result = await upload<ContentUploadResult>(
        `/api/content${queryString({ title: title.trim(), kind, storeId: storeId || undefined })}`,
        file,
        type,
        (fraction) => setPhase(fraction >= 1 ? { state: 'normalising' } : { state: 'sending', fraction }),
      );
      const a = result.asset;
      toast(
        'success',
        result.deduplicated
          ? `“${a.title}” was already in the library.`
          : `“${a.title}” added: ${a.loudness.integratedLufs.toFixed(1)} LUFS.`,
      );
      setFile(null);
      setTitle('');
      (e.target as HTMLFormElement).reset();
      onUploaded(result);
    } catch (err) {
      setRefusal({ code: errorCode(err), text: describeBroadcastError(err) });
    } finally {
      setPhase({ state: 'idle' });
    }
  };

  const busy = phase.state !== 'idle';
  return (
    <form class="panel upload-panel" onSubmit={submit} data-testid="content-upload">
      <header class="panel-header">
        <h2>Upload audio</h2>
        <span class="muted small">MP3, WAV, AAC/M4A, Ogg/Opus or FLAC; normalised to −16 LUFS</span>
      </header>
      <div class="form-grid">
        <label class="field">
          <span>File</span>
          <input
            type="file"
            accept="audio/*,.mp3,.wav,.m4a,.aac,.ogg,.opus,.flac"
            disabled={busy}
            data-testid="upload-file"
            onChange={(e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0] ?? null;
              setFile(f);
              if (f && !title) setTitle(f.name.replace(/\.[^.]+$/, ''));
            }}
          />
        </label>
        <label class="field">
          <span>Title</span>
          <input
            value={title}
            maxLength={200}
            disabled={busy}
            onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)}
            data-testid="upload-title"
          />
        </label>
        <label class="field">
          <span>Kind</span>
          <select
            value={kind}
            disabled={busy}
            onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as AssetKind)}
            data-testid="upload-kind"
          >
            {ASSET_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>For</span>
          <select
            value={storeId}
            disabled={busy}
            onChange={(e) => setStoreId((e.currentTarget as HTMLSelectElement).value)}
            data-testid="upload-store"
          >
            {chainWide ? <option value="">Every store (HQ)</option> : null}
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="upload-actions">
        <button
          type="submit"
          class="btn btn-primary"
          disabled={busy || !file || !title.trim()}
          data-testid="upload-submit"
        >
          Upload
        </button>
        {phase.state === 'sending' ? (
          <span class="upload-progress" data-testid="upload-progress" data-state="sending">
            <progress max={1} value={phase.fraction} />
            <span class="tabular">{Math.round(phase.fraction * 100)}%</span>
          </span>
        ) : phase.state === 'normalising' ? (
          <span class="upload-progress" data-testid="upload-progress" data-state="normalising">
            <span class="spinner" /> Normalising…
          </span>
        ) : null}
      </div>
      {refusal ? (
        <div class="form-error" role="alert" data-testid="upload-error" data-code={refusal.code}>
          {refusal.text}
        </div>
      ) : null}
    </form>
  );
}
