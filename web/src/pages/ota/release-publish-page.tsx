import { useState } from 'preact/hooks';
import { ApiError, api } from '../../api/api-client.ts';
import type { Me, PublishReleaseRequest, ReleaseDetail, StagedArtifact } from '../../api/types.ts';
import { navigate } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { ErrorState, PageHeader } from '../../components/page-state.tsx';
import { ArtifactUpload } from './artifact-upload.tsx';
import { describeOtaError, errorCode } from './ota-errors.ts';
import { OtaNav } from './ota-nav.tsx';
import {
  draftProblems,
  manifestOf,
  newReleaseDraft,
  problemsAt,
  publishProblems,
  type ReleaseDraft,
  type ReleaseProblem,
} from './release-draft.ts';
import { ReleaseManifestForm } from './release-manifest-form.tsx';
import { ReleaseSigning, type Signing } from './release-signing.tsx';

/**
 * Publishing a release (`releases:publish`): the artifact's bytes first (streamed, with progress), then the manifest
 * that names them by sha256, signed by the fleet's key or offline. Every refusal is shown at the field it concerns.
 */
export function ReleasePublishPage({ me }: { me: Me }) {
  const [staged, setStaged] = useState<{ file: File; artifact: StagedArtifact } | null>(null);
  const [draft, setDraft] = useState<ReleaseDraft>(newReleaseDraft());
  const [signing, setSigning] = useState<Signing>({ mode: 'fleet' });
  const [refused, setRefused] = useState<{ code?: string; text: string; problems: ReleaseProblem[] } | null>(null);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);

  if (!can(me, 'releases:publish')) return <ErrorState error={new ApiError(403, 'NOT_AUTHORIZED', '')} />;

  const local = draftProblems(draft);
  const manifest = staged && local.length === 0 ? manifestOf(draft, staged.artifact, new Date().toISOString()) : null;
  const signedOffline = signing.mode === 'offline' ? signing.signed : null;
  const offlineMismatch =
    signedOffline && staged && signedOffline.manifest.artifact?.sha256 !== staged.artifact.sha256
      ? 'The signed manifest names other bytes than the uploaded file (its sha256 differs).'
      : null;
  const problems = [...(touched ? local : []), ...(refused?.problems ?? [])];
  // Fleet-signed: the form's problems show when Publish is pressed; offline: the signed file is what is published.
  const ready =
    staged !== null && !busy && (signing.mode === 'fleet' || (signedOffline !== null && offlineMismatch === null));

  const publish = async () => {
    setTouched(true);
    if (!staged || !ready || (signing.mode === 'fleet' && local.length > 0)) return;
    const body: PublishReleaseRequest =
      signing.mode === 'offline' && signedOffline
        ? { manifest: signedOffline.manifest, signatures: signedOffline.signatures }
        : { manifest: manifestOf(draft, staged.artifact, new Date().toISOString()) };
    setBusy(true);
    setRefused(null);
    try {
      const release = await api.post<ReleaseDetail>('/api/releases', body);
      toast('success', `${release.name} ${release.version} published.`);
      navigate(`/updates/releases/${encodeURIComponent(release.id)}`);
    } catch (err) {
      setRefused({ code: errorCode(err), text: describeOtaError(err), problems: publishProblems(err) });
      if (errorCode(err) === 'RELEASE_SIGNING_KEY_MISSING' && signing.mode === 'fleet') {
        setSigning({ mode: 'offline', signed: null, fileName: null });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page ota" data-testid="release-publish-page">
      <PageHeader title="Publish a release" subtitle="Releases never change once published: a fix is a new version" />
      <OtaNav me={me} active="releases" />
      <ArtifactUpload
        staged={staged}
        problems={problemsAt(problems, 'artifact')}
        onPicked={(file) => {
          setStaged(null);
          setRefused(null);
          if (file) setDraft(newReleaseDraft(file.name));
        }}
        onStaged={(file, artifact) => setStaged({ file, artifact })}
      />
      {staged ? (
        <>
          <ReleaseManifestForm
            draft={draft}
            onChange={(d) => {
              setDraft(d);
              setTouched(true);
            }}
            problems={problems}
            disabled={signedOffline !== null}
          />
          <ReleaseSigning
            signing={signing}
            onChange={(s) => {
              setSigning(s);
              if (refused?.code !== 'RELEASE_SIGNING_KEY_MISSING') setRefused(null);
            }}
            manifest={manifest}
            problems={[
              // A missing key is explained in full next to the choice, with the offline commands.
              ...(refused?.code === 'RELEASE_SIGNING_KEY_MISSING' ? [] : problemsAt(problems, 'signatures')),
              ...(offlineMismatch ? [offlineMismatch] : []),
            ]}
            keyMissing={refused?.code === 'RELEASE_SIGNING_KEY_MISSING'}
          />
          {refused ? (
            <div class="form-error" role="alert" data-testid="publish-error" data-code={refused.code}>
              <span class="mono small">{refused.code}</span> {refused.text}
            </div>
          ) : null}
          <div class="row-actions">
            <button
              type="button"
              class="btn btn-primary"
              disabled={!ready}
              onClick={publish}
              data-testid="release-publish"
            >
              {busy ? 'Publishing…' : 'Publish release'}
            </button>
            <a class="btn" href="/updates/releases">
              Cancel
            </a>
          </div>
        </>
      ) : null}
    </div>
  );
}
