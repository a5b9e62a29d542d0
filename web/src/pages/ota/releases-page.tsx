import { OTA_COMPONENTS } from '../../../../protocol/ota/release.ts';
import { api } from '../../api/api-client.ts';
import type { Me, ReleasePage } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { KindLabel } from '../../components/status.tsx';
import { SignatureBadge } from './ota-badges.tsx';
import { bytes, COMPONENT_LABELS } from './ota-labels.ts';
import { OtaNav } from './ota-nav.tsx';

const PAGE_SIZE = 50;

/** Published releases, newest first: what each is for, its signature status and how many devices run it. */
export function ReleasesPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const component = query.get('component') ?? '';
  const name = query.get('name') ?? '';
  const offset = queryOffset(query);
  const list = useResource(
    () => api.get<ReleasePage>('/api/releases', { component, name, limit: PAGE_SIZE, offset }),
    [component, name, offset],
  );
  const set = (key: string) => (value: string) => setQuery({ [key]: value, offset: null });

  return (
    <div class="page ota" data-testid="releases-page">
      <PageHeader
        title="Releases"
        subtitle="Signed device software, models and config"
        actions={
          can(me, 'releases:publish') ? (
            <a class="btn btn-primary" href="/updates/releases/new" data-testid="publish-release">
              Publish a release
            </a>
          ) : null
        }
      />
      <OtaNav me={me} active="releases" />
      <section class="filters">
        <select
          value={component}
          onChange={(e) => set('component')((e.currentTarget as HTMLSelectElement).value)}
          aria-label="Component"
          data-testid="filter-component"
        >
          <option value="">Every component</option>
          {OTA_COMPONENTS.map((c) => (
            <option key={c} value={c}>
              {COMPONENT_LABELS[c]}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Release name (cart-runtime)"
          value={name}
          onChange={(e) => set('name')((e.currentTarget as HTMLInputElement).value.trim())}
          aria-label="Release name"
          data-testid="filter-name"
        />
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No release matches these filters.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="releases-table">
                <thead>
                  <tr>
                    <th>Release</th>
                    <th>Component</th>
                    <th>For</th>
                    <th class="num">Size</th>
                    <th>Signature</th>
                    <th class="num">Installed on</th>
                    <th>Published</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((r) => (
                    <tr key={r.id} data-testid="release-row" data-release={r.id}>
                      <td>
                        <a class="strong" href={`/updates/releases/${encodeURIComponent(r.id)}`}>
                          {r.name} <span class="mono">{r.version}</span>
                        </a>
                      </td>
                      <td>{COMPONENT_LABELS[r.component]}</td>
                      <td class="wrap">
                        {r.deviceKinds.map((k) => (
                          <KindLabel key={k} kind={k} />
                        ))}
                        <div class="muted small">
                          {r.hardwareModels.length ? r.hardwareModels.join(', ') : 'any model'}
                        </div>
                      </td>
                      <td class="num tabular">{bytes(r.size)}</td>
                      <td>
                        <SignatureBadge ok={r.signatureOk} />
                      </td>
                      <td class="num tabular" data-testid="release-installed">
                        {r.installedOn}
                      </td>
                      <td class="muted nowrap" title={absoluteTime(r.publishedAt)}>
                        {relativeTime(r.publishedAt)}
                        {r.publishedBy ? ` · ${r.publishedBy}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </div>
  );
}
