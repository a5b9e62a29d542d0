import type { FastifyInstance } from 'fastify';
import { FleetError } from '../../../protocol/errors.ts';
import type { CommandsPort } from '../ports.ts';
import {
  audit,
  type HttpDeps,
  idParams,
  principal,
  requirePermission,
  thingParams,
  visibleThing,
} from '../route-support.ts';

const COMMAND_NAMES = ['reboot', 'locate', 'diagnostics', 'logs'] as const;

export function commandRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const commands = (): CommandsPort => {
    if (!deps.commands) throw new FleetError('NOT_FOUND', 'remote commands are not running');
    return deps.commands;
  };

  app.post<{
    Params: { thingName: string };
    Body: { name: (typeof COMMAND_NAMES)[number]; params?: Record<string, unknown>; queueForSeconds?: number };
  }>(
    '/api/devices/:thingName/commands',
    {
      config: { permission: 'commands:locate' },
      schema: {
        tags: ['commands'],
        summary: 'Send a command (reboot, locate, diagnostics, logs); to an offline device it is refused or queued',
        params: thingParams,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', enum: [...COMMAND_NAMES] },
            params: { type: 'object', maxProperties: 16 },
            queueForSeconds: { type: 'integer', minimum: 0, maximum: 86_400, default: 0 },
          },
        },
      },
    },
    async (req, reply) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      if (req.body.name !== 'locate') requirePermission(req, 'commands:send', `send '${req.body.name}'`);
      const command = await commands().send({
        thingName: thing.thingName,
        name: req.body.name,
        params: req.body.params ?? {},
        queueForSeconds: req.body.queueForSeconds ?? 0,
        requestedBy: principal(req).username,
      });
      audit(req, deps, {
        action: 'command.send',
        targetType: 'device',
        targetId: thing.thingName,
        storeId: thing.storeId,
        details: {
          command: req.body.name,
          params: req.body.params ?? {},
          commandId: (command as { id?: string }).id ?? null,
          queueForSeconds: req.body.queueForSeconds ?? 0,
        },
      });
      return reply.status(202).send(command);
    },
  );

  app.get<{ Params: { thingName: string }; Querystring: { limit: number } }>(
    '/api/devices/:thingName/commands',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['commands'],
        summary: "A device's commands and their results, newest first",
        params: thingParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
        },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      return commands().list(thing.thingName, req.query.limit);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/commands/:id',
    {
      config: { permission: 'devices:read' },
      schema: { tags: ['commands'], summary: 'One command and its result', params: idParams },
    },
    async (req) => {
      const command = commands().get(req.params.id);
      if (!command || !deps.devices.visibleThing(principal(req), command.thingName)) {
        throw new FleetError('COMMAND_NOT_FOUND', `no command '${req.params.id}'`);
      }
      return command;
    },
  );
}
