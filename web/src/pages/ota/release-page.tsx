import { api, enc } from '../../api/api-client.ts';
import type { Me, ReleaseDetail, RolloutPage } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { JsonView } from '../../components/json-view.tsx';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { Badge, KindLabel } from '../../components/status.tsx';
import { ProgressBar, RolloutStateBadge, SignatureBadge } from './ota-badges.tsx';
import { bytes, COMPONENT_LABELS } from './ota-labels.ts';
import { OtaNav } from './ota-nav.tsx';

/**
 * One release: its manifest, each signature as the fleet judged it (a trusted key, a valid signature), which devices
 * it fits and upgrades from, the deltas on offer and the rollouts that ship it.
 */
export function ReleasePage({ me, id }: { me: Me; id: string }) {
  const release = useResource(() => api.get<ReleaseDetail>(`/api/releases/${enc(id)}`), [id]);
  const rollouts = useResource(
    () =>
      can(me, 'rollouts:read')
        ? api.get<RolloutPage>('/api/rollouts', { releaseId: id, limit: 50 })
        : Promise.resolve({ items: [], total: 0 }),
    [id],
  );

  if (release.error && !release.data) return <ErrorState error={release.error} onRetry={release.reload} />;
  const r = release.data;
  if (!r) return <Loading />;
  const m = r.manifest;

  return (
    <div class="page ota" data-testid="release-page" data-release={r.id}>
      <nav class="breadcrumbs">
        <a href="/updates/releases">Releases</a>
        <span aria-hidden="true">/</span>
        <span>{r.name}</span>
      </nav>
      <PageHeader
        title={
          <>
            {r.name} <span class="mono">{r.version}</span>
          </>
        }
        subtitle={
          <>
            {COMPONENT_LABELS[r.component]} · published {relativeTime(r.publishedAt)}
            {r.publishedBy ? ` by ${r.publishedBy}` : ''} · installed on{' '}
            <strong data-testid="release-installed">{r.installedOn}</strong> device{r.installedOn === 1 ? '' : 's'}
          </>
        }
        actions={
          can(me, 'rollouts:manage') ? (
            r.signatureOk ? (
              <a class="btn btn-primary" href={`/updates/rollouts/new?releaseId=${enc(r.id)}`} data-testid="roll-out">
                Roll out…
              </a>
            ) : (
              <span class="muted small">A release whose signature is not OK cannot be rolled out.</span>
            )
          ) : null
        }
      />
      <OtaNav me={me} active="releases" />
      <div class="grid-2">
        <section class="panel" data-testid="release-compatibility">
          <header class="panel-header">
            <h2>Compatibility</h2>
          </header>
          <dl class="facts">
            <dt>Device kinds</dt>
            <dd>
              {m.deviceKinds.map((k) => (
                <KindLabel key={k} kind={k} />
              ))}
            </dd>
            <dt>Hardware models</dt>
            <dd data-testid="release-models">{m.hardwareModels.length ? m.hardwareModels.join(', ') : 'any model'}</dd>
            <dt>Upgrades from</dt>
            <dd data-testid="release-upgrade-from">
              {m.upgradeFrom === '*' ? 'any installed version' : <span class="mono">{m.upgradeFrom}</span>}
            </dd>
          </dl>
          <p class="muted small">
            A device of another kind or model rejects the update, and so does one whose installed {m.name} is outside
            the range. A lower version than the installed one is a downgrade: refused unless the rollout allows it.
          </p>
        </section>
        <section class="panel" data-testid="release-signatures">
          <header class="panel-header">
            <h2>Signatures</h2>
            <SignatureBadge ok={r.signatureOk} />
          </header>
          <table class="table">
            <thead>
              <tr>
                <th>Key id</th>
                <th>Trusted key</th>
                <th>Signature</th>
              </tr>
            </thead>
            <tbody>
              {r.signatureStatus.map((s) => (
                <tr key={s.keyId} data-testid="signature-row" data-key={s.keyId}>
                  <td class="mono">{s.keyId}</td>
                  <td>
                    <Badge tone={s.trusted ? 'ok' : 'bad'} testId="signature-trusted">
                      {s.trusted ? 'Trusted' : 'Unknown key'}
                    </Badge>
                  </td>
                  <td>
                    <Badge tone={s.valid ? 'ok' : 'bad'} testId="signature-valid">
                      {s.valid ? 'Valid' : 'Does not verify'}
                    </Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section class="panel" data-testid="release-artifact">
        <header class="panel-header">
          <h2>Artifact</h2>
        </header>
        <dl class="facts">
          <dt>sha256</dt>
          <dd class="mono small" data-testid="release-sha256">
            {r.sha256}
          </dd>
          <dt>Size</dt>
          <dd>{bytes(r.size)}</dd>
          <dt>Media type</dt>
          <dd class="mono">{m.artifact.mediaType}</dd>
          <dt>Manifest made</dt>
          <dd>{m.createdAt}</dd>
          <dt>Published</dt>
          <dd>{absoluteTime(r.publishedAt)}</dd>
          {m.notes ? (
            <>
              <dt>Notes</dt>
              <dd class="pre-line">{m.notes}</dd>
            </>
          ) : null}
        </dl>
        <h3 class="subhead">Deltas</h3>
        {r.deltas.length === 0 ? (
          <p class="muted small" data-testid="no-deltas">
            None (yet): devices download the whole artifact. Deltas are made from the newest earlier releases of{' '}
            {r.name} in the background after publishing.
          </p>
        ) : (
          <table class="table" data-testid="release-deltas">
            <thead>
              <tr>
                <th>From</th>
                <th class="num">Size</th>
                <th class="num">Of the full artifact</th>
              </tr>
            </thead>
            <tbody>
              {r.deltas.map((d) => (
                <tr key={d.fromSha256} data-testid="delta-row">
                  <td>
                    <a href={`/updates/releases/${enc(d.fromReleaseId)}`} class="mono">
                      {d.fromVersion}
                    </a>
                  </td>
                  <td class="num tabular">{bytes(d.size)}</td>
                  <td class="num tabular" data-testid="delta-ratio">
                    {(d.ratio * 100).toFixed(1)} %
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {m.metadata ? (
          <>
            <h3 class="subhead">Metadata (signed)</h3>
            <JsonView value={m.metadata} testId="release-metadata" />
          </>
        ) : null}
      </section>
      {can(me, 'rollouts:read') ? (
        <section class="panel panel-flush" data-testid="release-rollouts">
          <header class="panel-header">
            <h2>Rollouts of this release</h2>
          </header>
          {!rollouts.data ? (
            rollouts.error ? (
              <ErrorState error={rollouts.error} onRetry={rollouts.reload} />
            ) : (
              <Loading />
            )
          ) : rollouts.data.items.length === 0 ? (
            <Empty>Not rolled out yet.</Empty>
          ) : (
            <table class="table">
              <tbody>
                {rollouts.data.items.map((o) => (
                  <tr key={o.id} data-testid="release-rollout-row">
                    <td>
                      <a class="strong" href={`/updates/rollouts/${enc(o.id)}`}>
                        {o.name}
                      </a>
                    </td>
                    <td>
                      <RolloutStateBadge state={o.state} />
                    </td>
                    <td class="wide">
                      <ProgressBar counts={o.counts} legend={false} />
                    </td>
                    <td class="muted nowrap">{relativeTime(o.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </div>
  );
}
