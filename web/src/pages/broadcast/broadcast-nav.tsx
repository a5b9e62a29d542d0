import type { Me, Permission } from '../../api/types.ts';
import { can } from '../../app/session.ts';
import { EmergencyBanner } from './emergency-banner.tsx';

export type BroadcastView = 'now' | 'content' | 'announcer' | 'campaigns' | 'calendar' | 'insert' | 'plays' | 'uplift';

const VIEWS: { key: BroadcastView; href: string; label: string; needs?: Permission }[] = [
  { key: 'now', href: '/broadcast', label: 'Now playing' },
  { key: 'content', href: '/broadcast/content', label: 'Library' },
  { key: 'announcer', href: '/broadcast/announcer', label: 'Announcer' },
  { key: 'campaigns', href: '/broadcast/campaigns', label: 'Campaigns' },
  { key: 'calendar', href: '/broadcast/calendar', label: 'Calendar' },
  { key: 'insert', href: '/broadcast/insert', label: 'Insert', needs: 'broadcast:insert' },
  { key: 'plays', href: '/broadcast/plays', label: 'Proof of play' },
  { key: 'uplift', href: '/broadcast/uplift', label: 'Uplift' },
];

/**
 * The Broadcast section's views as a segmented control. The store picked on one view travels to the next (`storeId`
 * in the query), so a store manager switching views stays on the same store.
 */
export function BroadcastNav({ me, active, storeId }: { me: Me; active: BroadcastView; storeId?: string }) {
  const suffix = storeId ? `?storeId=${encodeURIComponent(storeId)}` : '';
  return (
    <>
      <EmergencyBanner me={me} storeId={storeId ?? null} />
      <nav class="segmented" aria-label="Broadcast views" data-testid="broadcast-nav">
        {VIEWS.filter((v) => !v.needs || can(me, v.needs)).map((v) => (
          <a
            key={v.key}
            href={v.href + suffix}
            class={v.key === active ? 'active' : ''}
            data-testid={`broadcast-nav-${v.key}`}
          >
            {v.label}
          </a>
        ))}
      </nav>
    </>
  );
}
