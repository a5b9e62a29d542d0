import { useState } from 'preact/hooks';
import { MAX_ARTIFACT_BYTES } from '../../../../protocol/ota/release.ts';
import { upload } from '../../api/api-client.ts';
import type { StagedArtifact } from '../../api/types.ts';
import { describeOtaError, errorCode } from './ota-errors.ts';
import { bytes } from './ota-labels.ts';

type Phase = { state: 'idle' } | { state: 'sending'; fraction: number } | { state: 'hashing' };

/**
 * The artifact's bytes to `POST /api/releases/artifacts` (the file as the body, `application/octet-stream`): a real
 * progress bar from XMLHttpRequest's upload events, then "checking…" while the fleet stores and hashes it. The
 * fleet's answer (sha256, size, whether it had the bytes already) is what the manifest names.
 */
export function ArtifactUpload({
  staged,
  problems,
  onPicked,
  onStaged,
}: {
  staged: { file: File; artifact: StagedArtifact } | null;
  problems: string[];
  onPicked: (file: File | null) => void;
  onStaged: (file: File, artifact: StagedArtifact) => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ state: 'idle' });
  const [refusal, setRefusal] = useState<{ code?: string; text: string } | null>(null);
  const busy = phase.state !== 'idle';

  const send = async () => {
    if (!file) return;
    setRefusal(null);
    if (file.size > MAX_ARTIFACT_BYTES) {
      setRefusal({
        code: 'PAYLOAD_TOO_LARGE',
        text: `The file is ${bytes(file.size)}; at most ${bytes(MAX_ARTIFACT_BYTES)}.`,
      });
      return;
    }
    setPhase({ state: 'sending', fraction: 0 });
    try {
      const artifact = await upload<StagedArtifact>('/api/releases/artifacts', file, 'application/octet-stream', (f) =>
        setPhase(f >= 1 ? { state: 'hashing' } : { state: 'sending', fraction: f }),
      );
      onStaged(file, artifact);
    } catch (err) {
      setRefusal({ code: errorCode(err), text: describeOtaError(err) });
    } finally {
      setPhase({ state: 'idle' });
    }
  };

  return (
    <section class="panel" data-testid="artifact-upload">
      <header class="panel-header">
        <h2>1. Artifact</h2>
        <span class="muted small">A runtime bundle (uncompressed .tar), an ONNX model (.onnx) or a config (.json)</span>
      </header>
      <div class="upload-actions">
        <input
          type="file"
          accept=".tar,.onnx,.json,application/x-tar,application/json"
          disabled={busy}
          data-testid="release-file"
          onChange={(e) => {
            const f = (e.currentTarget as HTMLInputElement).files?.[0] ?? null;
            setFile(f);
            setRefusal(null);
            onPicked(f);
          }}
        />
        <button
          type="button"
          class="btn btn-primary"
          disabled={busy || !file || staged?.file === file}
          onClick={send}
          data-testid="release-upload"
        >
          Upload
        </button>
        {phase.state === 'sending' ? (
          <span class="upload-progress" data-testid="upload-progress" data-state="sending">
            <progress max={1} value={phase.fraction} />
            <span class="tabular">{Math.round(phase.fraction * 100)}%</span>
          </span>
        ) : phase.state === 'hashing' ? (
          <span class="upload-progress" data-testid="upload-progress" data-state="hashing">
            <span class="spinner" /> Checking…
          </span>
        ) : null}
      </div>
      {staged ? (
        <dl class="facts" data-testid="staged-artifact">
          <dt>File</dt>
          <dd>{staged.file.name}</dd>
          <dt>sha256</dt>
          <dd class="mono small" data-testid="staged-sha256">
            {staged.artifact.sha256}
          </dd>
          <dt>Size</dt>
          <dd data-testid="staged-size" data-bytes={staged.artifact.size}>
            {bytes(staged.artifact.size)}
            {staged.artifact.existed ? <span class="muted"> · the fleet had these bytes already</span> : null}
          </dd>
        </dl>
      ) : null}
      {refusal ? (
        <div class="form-error" role="alert" data-testid="upload-error" data-code={refusal.code}>
          {refusal.text}
        </div>
      ) : null}
      {problems.length ? (
        <div class="form-error" role="alert" data-testid="problem-artifact">
          {problems.join('; ')}
        </div>
      ) : null}
    </section>
  );
}
