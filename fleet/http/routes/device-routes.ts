import type { FastifyInstance } from 'fastify';
import { desiredStateProblems } from '../../../protocol/desired-state.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { SHADOW_NAME_PATTERN } from '../../../protocol/topics.ts';
import { inScope } from '../../access/principal.ts';
import { DEVICE_KINDS, type DeviceKind } from '../../registry/registry-types.ts';
import { DEVICE_SORTS, type DeviceQuery } from '../device-view.ts';
import { actorOf, audit, type HttpDeps, paging, principal, thingParams, visibleThing } from '../route-support.ts';

const storeIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } as const;
const tagsSchema = { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

export const deviceSummarySchema = {
  $id: 'DeviceSummary',
  type: 'object',
  properties: {
    thingName: { type: 'string' },
    kind: { type: 'string', enum: [...DEVICE_KINDS] },
    hardwareModel: { type: 'string' },
    storeId: { type: ['string', 'null'] },
    zoneId: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    softwareVersion: { type: ['string', 'null'] },
    presence: {
      type: 'object',
      properties: {
        state: { type: 'string', enum: ['online', 'offline', 'never'] },
        since: { type: ['integer', 'null'] },
        disconnectReason: { type: ['string', 'null'] },
      },
    },
    battery: { type: ['number', 'null'] },
    charging: { type: ['boolean', 'null'] },
    temperature: { type: ['number', 'null'] },
    zone: { type: ['string', 'null'] },
    lastSeen: { type: ['integer', 'null'] },
    openAlerts: { type: 'integer' },
    provisioning: { type: 'string' },
  },
} as const;

export function deviceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { devices, registry, shadows } = deps;
  app.addSchema(deviceSummarySchema);

  app.get<{ Querystring: DeviceQuery }>(
    '/api/devices',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['devices'],
        summary: 'Devices in my scope: filter, sort, page',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...DEVICE_KINDS] },
            storeId: storeIdSchema,
            zoneId: storeIdSchema,
            presence: { type: 'string', enum: ['online', 'offline', 'never'] },
            batteryBelow: { type: 'number', minimum: 0, maximum: 100 },
            batteryAbove: { type: 'number', minimum: 0, maximum: 100 },
            softwareVersion: { type: 'string', maxLength: 64 },
            tag: { type: 'string', maxLength: 64 },
            q: { type: 'string', maxLength: 128 },
            sort: { type: 'string', enum: [...DEVICE_SORTS], default: 'thingName' },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
            ...paging,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { $ref: 'DeviceSummary#' } },
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => {
      const result = devices.list(principal(req), req.query);
      return { ...result, limit: req.query.limit, offset: req.query.offset };
    },
  );

  app.get<{ Params: { thingName: string } }>(
    '/api/devices/:thingName',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['devices'],
        summary: 'One device: identity, presence, latest telemetry, shadows, certificates',
        params: thingParams,
      },
    },
    async (req) => devices.detailOf(visibleThing(req, deps, req.params.thingName)),
  );

  app.get<{ Params: { thingName: string }; Querystring: { name?: string } }>(
    '/api/devices/:thingName/shadow',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['shadows'],
        summary: 'A shadow: desired, reported, delta, version',
        params: thingParams,
        querystring: shadowNameQuery,
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const shadow = devices.shadowOf(thing.thingName, req.query.name);
      if (!shadow) throw new FleetError('SHADOW_NOT_FOUND', `no shadow for '${thing.thingName}'`);
      return shadow;
    },
  );

  app.patch<{
    Params: { thingName: string };
    Querystring: { name?: string };
    Body: { desired: Record<string, unknown>; version?: number };
  }>(
    '/api/devices/:thingName/shadow',
    {
      config: { permission: 'devices:desired' },
      schema: {
        tags: ['shadows'],
        summary: 'Set desired state (checked per device kind); the device receives the delta',
        params: thingParams,
        querystring: shadowNameQuery,
        body: {
          type: 'object',
          required: ['desired'],
          additionalProperties: false,
          properties: {
            desired: { type: 'object', maxProperties: 32 },
            version: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const problems = desiredStateProblems(thing.kind, req.body.desired);
      if (problems.length > 0) {
        throw new FleetError('DESIRED_STATE_INVALID', problems.join('; '), problems);
      }
      const result = shadows.update(thing.thingName, req.query.name, {
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
      return devices.shadowOf(thing.thingName, req.query.name);
    },
  );

  app.post<{
    Body: {
      thingName: string;
      kind: DeviceKind;
      hardwareModel: string;
      storeId: string;
      zoneId?: string;
      tags?: string[];
    };
  }>(
    '/api/devices',
    {
      config: { permission: 'devices:register' },
      schema: {
        tags: ['devices'],
        summary: 'Register a device: its thing, a certificate from the fleet CA and the device policy',
        body: {
          type: 'object',
          required: ['thingName', 'kind', 'hardwareModel', 'storeId'],
          additionalProperties: false,
          properties: {
            thingName: thingParams.properties.thingName,
            kind: { type: 'string', enum: [...DEVICE_KINDS] },
            hardwareModel: { type: 'string', minLength: 1, maxLength: 64 },
            storeId: storeIdSchema,
            zoneId: storeIdSchema,
            tags: tagsSchema,
          },
        },
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

  app.patch<{ Params: { thingName: string }; Body: { storeId?: string; zoneId?: string | null; tags?: string[] } }>(
    '/api/devices/:thingName',
    {
      config: { permission: 'devices:register' },
      schema: {
        tags: ['devices'],
        summary: 'Move a device to another store or zone, or change its tags',
        params: thingParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            storeId: storeIdSchema,
            zoneId: { anyOf: [storeIdSchema, { type: 'null' }] },
            tags: tagsSchema,
          },
        },
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

  app.post<{ Params: { thingName: string }; Body: { reason: string } }>(
    '/api/devices/:thingName/revoke',
    {
      config: { permission: 'devices:revoke' },
      schema: {
        tags: ['devices'],
        summary: "Revoke all of a device's certificates; its live connection is dropped",
        params: thingParams,
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 200 } },
        },
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

  app.post<{ Params: { thingName: string } }>(
    '/api/devices/:thingName/approve',
    {
      config: { permission: 'devices:approve' },
      schema: {
        tags: ['devices'],
        summary: 'Approve a device provisioned by claim with a template that needs approval',
        params: thingParams,
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

const shadowNameQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string', pattern: SHADOW_NAME_PATTERN.source } },
} as const;
