import { CommandSchema } from '../../../protocol/api/commands.ts';
import { ThingParams } from '../../../protocol/api/parameters.ts';
import { ScreenMirrorBody } from '../../../protocol/api/screen-mirror.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { audit, type HttpDeps, principal, visibleThing } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * The console's read-only view of a cart's screen: the command that makes the cart mirror it, under `carts:screen`
 * (store managers and attendants help shoppers without `commands:send`). The states come over the live socket.
 */
export function screenRoutes(app: ApiApp, deps: HttpDeps): void {
  app.post(
    '/api/devices/:thingName/screen-mirror',
    {
      config: { permission: 'carts:screen' },
      schema: {
        tags: ['commands'],
        summary: "Ask a cart to mirror its screen for a while (watch it on the live socket's cart-screen events)",
        params: ThingParams,
        body: ScreenMirrorBody,
        response: { 202: CommandSchema },
      },
    },
    async (req, reply) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      if (thing.kind !== 'cart') throw new FleetError('CART_SCREEN_UNAVAILABLE', `'${thing.thingName}' is not a cart`);
      if (!deps.commands) throw new FleetError('NOT_FOUND', 'remote commands are not running');
      const seconds = req.body.seconds ?? 120;
      const command = await deps.commands.send({
        thingName: thing.thingName,
        name: 'screen-mirror',
        params: { seconds },
        // A screen is for now: an offline cart is refused at once (DEVICE_OFFLINE), not queued.
        queueForSeconds: 0,
        requestedBy: principal(req).username,
      });
      audit(req, deps, {
        action: 'cart.screen-mirror',
        targetType: 'device',
        targetId: thing.thingName,
        storeId: thing.storeId,
        details: { seconds, commandId: command.id },
      });
      return reply.status(202).send(command);
    },
  );
}
