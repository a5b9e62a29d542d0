import type { Me, Permission } from '../../api/types.ts';
import { can } from '../../app/session.ts';

export type OtaView = 'rollouts' | 'releases' | 'windows';

const VIEWS: { key: OtaView; href: string; label: string; needs?: Permission }[] = [
  { key: 'rollouts', href: '/updates', label: 'Rollouts' },
  { key: 'releases', href: '/updates/releases', label: 'Releases', needs: 'releases:read' },
  { key: 'windows', href: '/updates/windows', label: 'Maintenance windows' },
];

/** The Updates section's views as a segmented control of links. */
export function OtaNav({ me, active }: { me: Me; active: OtaView }) {
  return (
    <nav class="segmented" aria-label="Updates views" data-testid="ota-nav">
      {VIEWS.filter((v) => !v.needs || can(me, v.needs)).map((v) => (
        <a key={v.key} href={v.href} class={v.key === active ? 'active' : ''} data-testid={`ota-nav-${v.key}`}>
          {v.label}
        </a>
      ))}
    </nav>
  );
}
