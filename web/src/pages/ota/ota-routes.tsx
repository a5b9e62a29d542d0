import type { Me } from '../../api/types.ts';
import { match } from '../../app/router.ts';
import { MaintenanceWindowsPage } from './maintenance-windows-page.tsx';
import { ReleasePage } from './release-page.tsx';
import { ReleasePublishPage } from './release-publish-page.tsx';
import { ReleasesPage } from './releases-page.tsx';
import { RolloutPage } from './rollout-page.tsx';
import { RolloutWizardPage } from './rollout-wizard-page.tsx';
import { RolloutsPage } from './rollouts-page.tsx';

/** The Updates section's pages (OTA, issue 10 item 8); `null` for any other path. */
export function otaPage(me: Me, path: string, query: URLSearchParams): preact.JSX.Element | null {
  if (path === '/updates') return <RolloutsPage me={me} query={query} />;
  if (path === '/updates/rollouts/new') return <RolloutWizardPage me={me} query={query} />;
  const rollout = match('/updates/rollouts/:id', path);
  if (rollout) return <RolloutPage key={rollout.id} me={me} id={rollout.id!} query={query} />;
  if (path === '/updates/releases') return <ReleasesPage me={me} query={query} />;
  if (path === '/updates/releases/new') return <ReleasePublishPage me={me} />;
  const release = match('/updates/releases/:id', path);
  if (release) return <ReleasePage key={release.id} me={me} id={release.id!} />;
  if (path === '/updates/windows') return <MaintenanceWindowsPage me={me} query={query} />;
  return null;
}
