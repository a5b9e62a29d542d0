import {
  DesiredStateBody,
  DeviceChangesBody,
  DeviceDetailSchema,
  DeviceListQuery,
  DevicePageSchema,
  DeviceSummarySchema,
  NewDeviceBody,
  RegisteredDeviceSchema,
  RevokeBody,
  ShadowQuery,
  ShadowSchema,
} from '../../../protocol/api/devices.ts';
import { ThingParams } from '../../../protocol/api/parameters.ts';
import { desiredStateProblems } from '../../../protocol/desired-state.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import { actorOf, audit, type HttpDeps, principal, visibleThing } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function deviceRoutes(app: ApiApp, deps: HttpDeps): void {
  const { devices, registry, shadows } = deps;

  app.get(
    '/api/devices',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['devices'],
        summary: 'Devices in my scope: filter, sort, page',
        querystring: DeviceListQuery,
        response: { 200: DevicePageSchema },
      },
    },
    async (req) => {
      const result = devices.list(principal(req), req.query);
      return { ...result, limit: req.query.limit, offset: req.query.offset };
    },
  );

  app.get(
    '/api/devices/:thingName',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['devices'],
        summary: 'One device: identity, presence, latest telemetry, shadows, certificates',
        params: ThingParams,
        response: { 200: DeviceDetailSchema },
      },
    },
    async (req) => devices.detailOf(visibleThing(req, deps, req.params.thingName)),
  );

  app.get(
    '/api/devices/:thingName/shadow',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['shadows'],
        summary: 'A shadow: desired, reported, delta, version',
        params: ThingParams,
        querystring: ShadowQuery,
        response: { 200: ShadowSchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const shadow = devices.shadowOf(thing.thingName, req.query.name);
      if (!shadow) throw new FleetError('SHADOW_NOT_FOUND', `no shadow for '${thing.thingName}'`);
      return shadow;
    },
  );

  app.patch(
    '/api/devices/:thingName/shadow',
    {
      config: { permission: 'devices:desired' },
      schema: {
        tags: ['shadows'],
        summary: 'Set desired state (checked per device kind); the device receives the delta',
        params: ThingParams,
        querystring: ShadowQuery,
        body: DesiredStateBody,
        response: { 200: ShadowSchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const problems = desiredStateProblems(thing.kind, req.body.desired);
      if (problems.length > 0) {
        throw new FleetError('DESIRED_STATE_INVALID', problems.join('; '), problems);
      }
      const result = await shadows.update(thing.thingName, req.query.name, {
        state: { desired: req.body.desired as never },
        ...(req.body.version !== undefined ? { version: req.body.version } : {}),
      });
      if (!result.ok) {
        const code =
          result.error.code === 409
            ? 'SHADOW_VERSION_CONFLICT'
            : result.error.code === 413
              ? 'SHADOW_TOO_LARGE'
              : 'SHADOW_INVALID';
        throw new FleetError(code, result.error.message);
      }
      audit(req, deps, {
        action: 'shadow.desired',
        targetType: 'device',
        targetId: thing.thingName,
        storeId: thing.storeId,
        details: { shadowName: req.query.name ?? null, desired: req.body.desired },
      });
      const shadow = devices.shadowOf(thing.thingName, req.query.name);
      if (!shadow) throw new FleetError('SHADOW_NOT_FOUND', `no shadow for '${thing.thingName}'`);
      return shadow;
    },
  );

  app.post(
    '/api/devices',
    {
      config: { permission: 'devices:register' },
      schema: {
        tags: ['devices'],
        summary: 'Register a device: its thing, a certificate from the fleet CA and the device policy',
        body: NewDeviceBody,
        response: { 201: RegisteredDeviceSchema },
      },
    },
    async (req, reply) => {
      if (!inScope(principal(req), req.body.storeId)) {
        throw new FleetError('STORE_NOT_FOUND', `no store '${req.body.storeId}'`);
      }
      const registration = await registry.registerDevice({ ...req.body, zoneId: req.body.zoneId ?? null });
      audit(req, deps, {
        action: 'device.register',
        targetType: 'device',
        targetId: registration.thing.thingName,
        storeId: registration.thing.storeId,
        details: { kind: registration.thing.kind, certificateId: registration.certificate.certificateId },
      });
      return reply.status(201).send({
        device: devices.summaryOf(registration.thing),
        bundle: {
          certificatePem: registration.certificate.certificatePem,
          privateKeyPem: registration.certificate.privateKeyPem,
          caPem: registration.caPem,
        },
      });
    },
  );

  app.patch(
    '/api/devices/:thingName',
    {
      config: { permission: 'devices:register' },
      schema: {
        tags: ['devices'],
        summary: 'Move a device to another store or zone, or change its tags',
        params: ThingParams,
        body: DeviceChangesBody,
        response: { 200: DeviceSummarySchema },
      },
    },
    async (req) => {
      const p = principal(req);
      const thing = visibleThing(req, deps, req.params.thingName);
      const storeId = req.body.storeId ?? thing.storeId;
      if (storeId !== thing.storeId && (storeId === null || !inScope(p, storeId) || !deps.stores.getStore(storeId))) {
        throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
      }
      const zoneId = req.body.zoneId !== undefined ? req.body.zoneId : storeId === thing.storeId ? thing.zoneId : null;
      if (zoneId !== null && deps.stores.getZone(zoneId)?.storeId !== storeId) {
        throw new FleetError('ZONE_NOT_FOUND', `no zone '${zoneId}' in store '${storeId}'`);
      }
      registry.updateThing(thing.thingName, { storeId, zoneId, ...(req.body.tags ? { tags: req.body.tags } : {}) });
      audit(req, deps, {
        action: 'device.update',
        targetType: 'device',
        targetId: thing.thingName,
        storeId,
        details: { before: { storeId: thing.storeId, zoneId: thing.zoneId, tags: thing.tags }, after: req.body },
      });
      deps.bus.emit('thing.changed', { thingName: thing.thingName });
      return devices.summaryOf(registry.getThing(thing.thingName)!);
    },
  );

  app.post(
    '/api/devices/:thingName/revoke',
    {
      config: { permission: 'devices:revoke' },
      schema: {
        tags: ['devices'],
        summary: "Revoke all of a device's certificates; its live connection is dropped",
        params: ThingParams,
        body: RevokeBody,
        response: { 200: DeviceSummarySchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const revoked = registry.revokeThing(thing.thingName, req.body.reason);
      audit(req, deps, {
        action: 'device.revoke',
        targetType: 'device',
        targetId: thing.thingName,
        storeId: thing.storeId,
        details: { reason: req.body.reason, certificateIds: revoked },
      });
      deps.bus.emit('thing.changed', { thingName: thing.thingName });
      return devices.summaryOf(thing);
    },
  );

  app.post(
    '/api/devices/:thingName/approve',
    {
      config: { permission: 'devices:approve' },
      schema: {
        tags: ['devices'],
        summary: 'Approve a device provisioned by claim with a template that needs approval',
        params: ThingParams,
        response: { 200: DeviceSummarySchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      if (!deps.provisioning) throw new FleetError('NOT_FOUND', 'provisioning is not running');
      await deps.provisioning.approve(thing.thingName, actorOf(req));
      audit(req, deps, {
        action: 'device.approve',
        targetType: 'device',
        targetId: thing.thingName,
        storeId: thing.storeId,
      });
      deps.bus.emit('thing.changed', { thingName: thing.thingName });
      return devices.summaryOf(registry.getThing(thing.thingName)!);
    },
  );
}
