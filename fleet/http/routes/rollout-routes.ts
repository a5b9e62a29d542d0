import { StoreParams, ThingParams } from '../../../protocol/api/parameters.ts';
import {
  DeviceOtaSchema,
  MaintenanceWindowsSchema,
  RolloutActionRequestSchema,
  RolloutDevicePageSchema,
  RolloutDeviceParams,
  RolloutDeviceQuerySchema,
  RolloutDeviceSchema,
  RolloutListQuerySchema,
  RolloutPageSchema,
  RolloutParams,
  RolloutPreviewSchema,
  RolloutSchema,
  RolloutSpecSchema,
} from '../../../protocol/api/rollouts.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import type { RolloutService, RolloutViewer } from '../../ota/rollouts/rollout-service.ts';
import { audit, type HttpDeps, principal, visibleThing } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

const tags = ['rollouts'];

/**
 * OTA rollouts (issue 10): preview and create (`rollouts:manage`, HQ), read (`rollouts:read`: a store manager sees
 * the rollouts touching their stores and only their stores' devices in them; another rollout answers 404 as an
 * unknown one), pause, resume, cancel and abort (`rollouts:manage`), a technician's retry of one failed device
 * (`rollouts:retry-device`, devices of their stores), the stores' maintenance windows and a device's OTA view.
 */
export function rolloutRoutes(app: ApiApp, deps: HttpDeps): void {
  const rollouts = (): RolloutService => {
    if (!deps.rollouts) throw new FleetError('NOT_FOUND', 'rollouts are not running');
    return deps.rollouts;
  };
  const viewer = (req: Parameters<typeof principal>[0]): RolloutViewer => {
    const p = principal(req);
    return { username: p.username, storeIds: p.storeIds };
  };

  app.post(
    '/api/rollouts/preview',
    {
      config: { permission: 'rollouts:manage' },
      schema: {
        tags,
        summary:
          'How many devices a rollout would reach (in all, per phase, per store), who is left out, and its problems',
        body: RolloutSpecSchema,
        response: { 200: RolloutPreviewSchema },
      },
    },
    async (req) => rollouts().preview(req.body),
  );

  app.post(
    '/api/rollouts',
    {
      config: { permission: 'rollouts:manage' },
      schema: {
        tags,
        summary:
          'Start a rollout of a release (400 ROLLOUT_INVALID lists every problem; 409 ROLLOUT_DOWNGRADE; 404 RELEASE_NOT_FOUND; ' +
          '422 RELEASE_SIGNATURE_INVALID for a release the fleet no longer trusts). Nothing is made when refused',
        body: RolloutSpecSchema,
        response: { 201: RolloutSchema },
      },
    },
    async (req, reply) => {
      const rollout = await rollouts().create(req.body, viewer(req));
      audit(req, deps, {
        action: 'rollout.create',
        targetType: 'rollout',
        targetId: rollout.id,
        storeId: null,
        details: {
          releaseId: rollout.releaseId,
          release: `${rollout.releaseName}@${rollout.version}`,
          devices: rollout.counts.total,
          stores: rollout.storeIds,
          spec: rollout.spec,
        },
      });
      return reply.status(201).send(rollout);
    },
  );

  app.get(
    '/api/rollouts',
    {
      config: { permission: 'rollouts:read' },
      schema: {
        tags,
        summary: 'Rollouts touching my stores, newest first',
        querystring: RolloutListQuerySchema,
        response: { 200: RolloutPageSchema },
      },
    },
    async (req) => rollouts().list(viewer(req), req.query),
  );

  app.get(
    '/api/rollouts/:rolloutId',
    {
      config: { permission: 'rollouts:read' },
      schema: { tags, summary: 'One rollout, per phase', params: RolloutParams, response: { 200: RolloutSchema } },
    },
    async (req) => rollouts().get(viewer(req), req.params.rolloutId),
  );

  app.get(
    '/api/rollouts/:rolloutId/devices',
    {
      config: { permission: 'rollouts:read' },
      schema: {
        tags,
        summary: "A rollout's devices in my stores, in its order: status, step, reason, progress, logs",
        params: RolloutParams,
        querystring: RolloutDeviceQuerySchema,
        response: { 200: RolloutDevicePageSchema },
      },
    },
    async (req) => rollouts().devices(viewer(req), req.params.rolloutId, req.query),
  );

  const actions = [
    ['pause', 'Queue nothing new (devices on their way finish); 409 ROLLOUT_STATE_INVALID unless running or scheduled'],
    ['resume', 'Go on after a pause; 409 ROLLOUT_STATE_INVALID unless paused'],
    ['cancel', 'Stop: queued executions are canceled, devices in progress finish'],
    ['abort', 'Stop now: queued AND in-progress executions are canceled; devices in progress roll back'],
  ] as const;
  for (const [action, summary] of actions) {
    app.post(
      `/api/rollouts/:rolloutId/${action}`,
      {
        config: { permission: 'rollouts:manage' },
        schema: {
          tags,
          summary,
          params: RolloutParams,
          body: RolloutActionRequestSchema,
          response: { 200: RolloutSchema },
        },
      },
      async (req) => {
        const rollout = await rollouts()[action](viewer(req), req.params.rolloutId, req.body.reason);
        audit(req, deps, {
          action: `rollout.${action}`,
          targetType: 'rollout',
          targetId: rollout.id,
          storeId: null,
          details: { reason: req.body.reason ?? null, state: rollout.state },
        });
        return rollout;
      },
    );
  }

  app.post(
    '/api/rollouts/:rolloutId/devices/:thingName/retry',
    {
      config: { permission: 'rollouts:retry-device' },
      schema: {
        tags,
        summary:
          'Try a failed device again now (and take it out of the penalty box); 409 ROLLOUT_STATE_INVALID unless it failed, ' +
          'timed out, was rejected or left out',
        params: RolloutDeviceParams,
        response: { 200: RolloutDeviceSchema },
      },
    },
    async (req) => {
      const device = await rollouts().retryDevice(viewer(req), req.params.rolloutId, req.params.thingName);
      audit(req, deps, {
        action: 'rollout.retry-device',
        targetType: 'device',
        targetId: device.thingName,
        storeId: device.storeId,
        details: { rolloutId: req.params.rolloutId, executionNumber: device.executionNumber },
      });
      return device;
    },
  );

  const store = (req: Parameters<typeof principal>[0], storeId: string) => {
    if (!deps.stores.getStore(storeId) || !inScope(principal(req), storeId)) {
      throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    }
  };

  app.get(
    '/api/stores/:storeId/maintenance-windows',
    {
      config: { permission: 'stores:read' },
      schema: {
        tags,
        summary: "The store's OTA maintenance windows (cron, duration, zone)",
        params: StoreParams,
        response: { 200: MaintenanceWindowsSchema },
      },
    },
    async (req) => {
      store(req, req.params.storeId);
      return { windows: rollouts().windows(req.params.storeId) };
    },
  );

  app.put(
    '/api/stores/:storeId/maintenance-windows',
    {
      config: { permission: 'rollouts:manage' },
      schema: {
        tags,
        summary: "Replace the store's maintenance windows (400 ROLLOUT_INVALID lists every problem: cron, zone)",
        params: StoreParams,
        body: MaintenanceWindowsSchema,
        response: { 200: MaintenanceWindowsSchema },
      },
    },
    async (req) => {
      store(req, req.params.storeId);
      const before = rollouts().windows(req.params.storeId);
      const windows = await rollouts().putWindows(req.params.storeId, req.body.windows, viewer(req));
      audit(req, deps, {
        action: 'store.maintenance-windows',
        targetType: 'store',
        targetId: req.params.storeId,
        storeId: req.params.storeId,
        details: { before, after: windows },
      });
      return { windows };
    },
  );

  app.get(
    '/api/devices/:thingName/ota',
    {
      config: { permission: 'rollouts:read' },
      schema: {
        tags,
        summary: "A device's slots (its named shadow ota), whether it is in the penalty box, and its update history",
        params: ThingParams,
        response: { 200: DeviceOtaSchema },
      },
    },
    async (req) => rollouts().deviceOta(visibleThing(req, deps, req.params.thingName).thingName),
  );
}
