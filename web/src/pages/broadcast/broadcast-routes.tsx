import type { Me } from '../../api/types.ts';
import { match } from '../../app/router.ts';
import { AnnouncerPage } from './announcer-page.tsx';
import { CalendarPage } from './calendar-page.tsx';
import { CampaignPage } from './campaign-page.tsx';
import { CampaignsPage } from './campaigns-page.tsx';
import { ContentLibraryPage } from './content-library-page.tsx';
import { InsertPage } from './insert-page.tsx';
import { NowPlayingPage } from './now-playing-page.tsx';
import { PlaysPage } from './plays-page.tsx';
import { UpliftPage } from './uplift-page.tsx';

/** The Broadcast section's pages (issue 9 item 10); `null` for any other path. */
export function broadcastPage(me: Me, path: string, query: URLSearchParams): preact.JSX.Element | null {
  if (path === '/broadcast') return <NowPlayingPage me={me} query={query} />;
  if (path === '/broadcast/content') return <ContentLibraryPage me={me} query={query} />;
  if (path === '/broadcast/announcer') return <AnnouncerPage me={me} query={query} />;
  if (path === '/broadcast/campaigns') return <CampaignsPage me={me} query={query} />;
  if (path === '/broadcast/campaigns/new') return <CampaignPage me={me} id={null} query={query} />;
  const campaign = match('/broadcast/campaigns/:id', path);
  if (campaign) return <CampaignPage key={campaign.id} me={me} id={campaign.id!} query={query} />;
  if (path === '/broadcast/calendar') return <CalendarPage me={me} query={query} />;
  if (path === '/broadcast/insert') return <InsertPage me={me} query={query} />;
  if (path === '/broadcast/plays') return <PlaysPage me={me} query={query} />;
  if (path === '/broadcast/uplift') return <UpliftPage me={me} query={query} />;
  return null;
}
