import { CommandListQuery, CommandSchema, SendCommandBody } from '../../../protocol/api/commands.ts';
import { IdParams, ThingParams } from '../../../protocol/api/parameters.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { CommandsPort } from '../ports.ts';
import { audit, type HttpDeps, principal, requirePermission, visibleThing } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function commandRoutes(app: ApiApp, deps: HttpDeps): void {
  const commands = (): CommandsPort => {
    if (!deps.commands) throw new FleetError('NOT_FOUND', 'remote commands are not running');
    return deps.commands;
  };

  app.post(
    '/api/devices/:thingName/commands',
    {
      config: { permission: 'commands:locate' },
      schema: {
        tags: ['commands'],
        summary: 'Send a command (reboot, locate, diagnostics, logs); to an offline device it is refused or queued',
        params: ThingParams,
        body: SendCommandBody,
        response: { 202: CommandSchema },
      },
    },
    async (req, reply) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      if (req.body.name !== 'locate') requirePermission(req, 'commands:send', `send '${req.body.name}'`);
      const command = await commands().send({
        thingName: thing.thingName,
        name: req.body.name,
        params: req.body.params ?? {},
        queueForSeconds: req.body.queueForSeconds,
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
          commandId: command.id,
          queueForSeconds: req.body.queueForSeconds,
        },
      });
      return reply.status(202).send(command);
    },
  );

  app.get(
    '/api/devices/:thingName/commands',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['commands'],
        summary: "A device's commands and their results, newest first",
        params: ThingParams,
        querystring: CommandListQuery,
        response: { 200: { type: 'array', items: CommandSchema } },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      return commands().list(thing.thingName, req.query.limit);
    },
  );

  app.get(
    '/api/commands/:id',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['commands'],
        summary: 'One command and its result',
        params: IdParams,
        response: { 200: CommandSchema },
      },
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
