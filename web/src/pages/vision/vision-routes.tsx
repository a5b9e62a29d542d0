import type { Me } from '../../api/types.ts';
import { AccuracyPage } from './accuracy-page.tsx';
import { CartsPage } from './carts-page.tsx';
import { EnrolPage } from './enrol-page.tsx';
import { GalleryPage } from './gallery-page.tsx';
import { SettingsPage } from './settings-page.tsx';
import { VersionsPage } from './versions-page.tsx';

/** The Recognition section's pages (issue 11 item 8); `null` for any other path. */
export function visionPage(me: Me, path: string, query: URLSearchParams): preact.JSX.Element | null {
  if (path === '/recognition') return <GalleryPage me={me} query={query} />;
  if (path === '/recognition/enrol') return <EnrolPage me={me} query={query} />;
  if (path === '/recognition/versions') return <VersionsPage me={me} query={query} />;
  if (path === '/recognition/carts') return <CartsPage me={me} query={query} />;
  if (path === '/recognition/accuracy') return <AccuracyPage me={me} query={query} />;
  if (path === '/recognition/settings') return <SettingsPage me={me} query={query} />;
  return null;
}
