import { useState } from 'preact/hooks';
import type { ReleaseManifest, SignedRelease } from '../../api/types.ts';
import { readSignedRelease } from './release-draft.ts';

export type Signing = { mode: 'fleet' } | { mode: 'offline'; signed: SignedRelease | null; fileName: string | null };

/** The offline step, as `fleetctl releases` does it (the key never leaves the machine that holds it). */
export function offlineCommands(manifestFile: string): string {
  return [
    `npx fleetctl releases sign ${manifestFile} --key signing-key.pem --out signed.json`,
    '# then load signed.json here, or publish from that machine:',
    'npx fleetctl releases publish ARTIFACT --manifest signed.json',
  ].join('\n');
}

/**
 * How the release is signed: by the fleet's own key file (the request carries no signature), or offline — the
 * manifest is downloaded, signed where the key lives (`fleetctl releases sign`) and the signed file loaded back.
 * RELEASE_SIGNING_KEY_MISSING (a fleet without a key) leads here with the commands.
 */
export function ReleaseSigning({
  signing,
  onChange,
  manifest,
  problems,
  keyMissing,
}: {
  signing: Signing;
  onChange: (signing: Signing) => void;
  /** The manifest the form makes now (null while it has problems): what an offline signature must cover. */
  manifest: ReleaseManifest | null;
  problems: string[];
  keyMissing: boolean;
}) {
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const manifestFile = manifest ? `${manifest.name}-${manifest.version}.manifest.json` : 'manifest.json';

  const download = () => {
    if (!manifest) return;
    const blob = new Blob([`${JSON.stringify(manifest, null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = manifestFile;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  const load = async (file: File | null) => {
    setFileProblem(null);
    if (!file) return onChange({ mode: 'offline', signed: null, fileName: null });
    const read = readSignedRelease(await file.text());
    if ('problem' in read) {
      setFileProblem(read.problem);
      return onChange({ mode: 'offline', signed: null, fileName: file.name });
    }
    onChange({ mode: 'offline', signed: read, fileName: file.name });
  };

  return (
    <section class="panel" data-testid="release-signing">
      <header class="panel-header">
        <h2>3. Signature</h2>
        <span class="muted small">ed25519 over the manifest’s canonical JSON; devices verify it before installing</span>
      </header>
      <div class="checks">
        <label class="check">
          <input
            type="radio"
            name="signing"
            checked={signing.mode === 'fleet'}
            onChange={() => onChange({ mode: 'fleet' })}
            data-testid="sign-fleet"
          />
          Signed by the fleet’s key
        </label>
        <label class="check">
          <input
            type="radio"
            name="signing"
            checked={signing.mode === 'offline'}
            onChange={() => onChange({ mode: 'offline', signed: null, fileName: null })}
            data-testid="sign-offline"
          />
          Signed offline (the key stays on its own machine)
        </label>
      </div>
      {keyMissing ? (
        <div class="callout callout-warn" role="alert" data-testid="signing-key-missing">
          <strong>The fleet has no signing key</strong> (RELEASE_SIGNING_KEY_MISSING): it keeps keys out of its database
          and none is configured (<span class="mono">ota.signingKeyFile</span>). Sign the manifest offline where the key
          is, then load the signed file below:
          <pre class="mono" data-testid="signing-commands">
            {offlineCommands(manifestFile)}
          </pre>
        </div>
      ) : null}
      {signing.mode === 'offline' ? (
        <div class="offline-signing">
          <div class="row-actions">
            <button
              type="button"
              class="btn"
              disabled={!manifest}
              onClick={download}
              data-testid="download-manifest"
              title={manifest ? undefined : 'Fill in the manifest first'}
            >
              Download the manifest
            </button>
            <label class="btn">
              Load the signed file…
              <input
                type="file"
                accept=".json,application/json"
                class="visually-hidden"
                onChange={(e) => void load((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
                data-testid="signed-file"
              />
            </label>
          </div>
          {keyMissing ? null : (
            <pre class="mono small muted" data-testid="signing-commands">
              {offlineCommands(manifestFile)}
            </pre>
          )}
          {signing.signed ? (
            <p data-testid="signed-loaded">
              {signing.fileName}: {signing.signed.manifest.name} {signing.signed.manifest.version}, signed by{' '}
              {signing.signed.signatures.map((s) => (
                <span key={s.keyId} class="tag mono">
                  {s.keyId}
                </span>
              ))}
              . It is published exactly as signed.
            </p>
          ) : null}
          {fileProblem ? (
            <small class="hint hint-bad" role="alert" data-testid="signed-file-problem">
              {fileProblem}
            </small>
          ) : null}
        </div>
      ) : null}
      {problems.length ? (
        <div class="form-error" role="alert" data-testid="problem-signatures">
          {problems.join('; ')}
        </div>
      ) : null}
    </section>
  );
}
