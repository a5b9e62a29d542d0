import type { DeviceKind, DeviceSummary } from '../../../protocol/api/devices.ts';
import { OverviewSchema, type PresenceCounts } from '../../../protocol/api/overview.ts';
import { inScope } from '../../access/principal.ts';
import { type HttpDeps, principal, scopeList } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

const zero = (): PresenceCounts => ({ online: 0, offline: 0, neverConnected: 0 });

export function overviewRoutes(app: ApiApp, deps: HttpDeps): void {
  app.get(
    '/api/overview',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['overview'],
        summary: 'Fleet at a glance: presence by kind and store, alerts, devices needing attention',
        response: { 200: OverviewSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      const devices = deps.devices.summariesOf(deps.devices.visibleThings(p));
      const stores = deps.stores.listStores().filter((s) => inScope(p, s.id));
      const byKind: Record<DeviceKind, PresenceCounts> = { cart: zero(), speaker: zero() };
      const byStore = new Map(stores.map((s) => [s.id, { storeId: s.id, name: s.name, ...zero() }]));
      const total = zero();
      for (const d of devices) {
        const key = d.presence.state === 'never' ? 'neverConnected' : d.presence.state;
        total[key]++;
        byKind[d.kind][key]++;
        if (d.storeId) {
          const s = byStore.get(d.storeId);
          if (s) s[key]++;
        }
      }
      const storeIds = scopeList(p.storeIds);
      // Counts from the totals (exact however many are open); the newest 1000 active ones rank the attention list.
      const count = (query: { state: 'open' | 'acknowledged' | 'active'; severity?: 'critical' }) =>
        deps.alerts?.list({ ...query, storeIds, limit: 1, offset: 0 }).total ?? 0;
      const alerts = deps.alerts?.list({ state: 'active', storeIds, limit: 1000, offset: 0 });
      const severityOf = new Map<string, number>();
      for (const a of alerts?.items ?? []) {
        severityOf.set(a.thingName, Math.max(severityOf.get(a.thingName) ?? 0, a.severity === 'critical' ? 2 : 1));
      }
      const attention = devices
        .map((d) => ({ d, score: attentionScore(d, severityOf.get(d.thingName) ?? 0) }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || a.d.thingName.localeCompare(b.d.thingName))
        .slice(0, 20)
        .map((x) => x.d);
      return {
        devices: { total: devices.length, ...total, byKind, byStore: [...byStore.values()] },
        alerts: {
          open: count({ state: 'open' }),
          acknowledged: count({ state: 'acknowledged' }),
          critical: count({ state: 'active', severity: 'critical' }),
        },
        attention,
      };
    },
  );
}

function attentionScore(d: DeviceSummary, alertSeverity: number): number {
  let score = alertSeverity * 10;
  if (d.presence.state === 'offline') score += 5;
  // Provisioned by claim and waiting for a technician: it can do nothing until approved.
  if (d.provisioning === 'pending-approval') score += 4;
  if (d.battery !== null && d.battery < 20 && !d.charging) score += 3;
  return score;
}
