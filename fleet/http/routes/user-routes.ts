import { IdParams } from '../../../protocol/api/parameters.ts';
import {
  CreatedUserSchema,
  NewUserBody,
  PasswordResetSchema,
  UserChangesBody,
  UserSchema,
} from '../../../protocol/api/users.ts';
import { audit, type HttpDeps, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function userRoutes(app: ApiApp, deps: HttpDeps): void {
  const { access } = deps;

  app.get(
    '/api/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Everyone who can sign in',
        response: { 200: { type: 'array', items: UserSchema } },
      },
    },
    async () => access.users.list(),
  );

  app.post(
    '/api/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user; answers a one-time password they must change at first sign-in',
        body: NewUserBody,
        response: { 201: CreatedUserSchema },
      },
    },
    async (req, reply) => {
      const { user, oneTimePassword } = await access.createUser(req.body);
      audit(req, deps, {
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        storeId: null,
        details: { username: user.username, role: user.role, storeIds: user.storeIds, regions: user.regions },
      });
      return reply.status(201).send({ user, oneTimePassword });
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role, stores or regions, or disable them",
        params: IdParams,
        body: UserChangesBody,
        response: { 200: UserSchema },
      },
    },
    async (req) => {
      const before = access.users.get(req.params.id);
      const user = access.updateUser(req.params.id, req.body, principal(req).userId);
      audit(req, deps, {
        action: 'user.update',
        targetType: 'user',
        targetId: user.id,
        storeId: null,
        details: {
          username: user.username,
          before: before && {
            role: before.role,
            storeIds: before.storeIds,
            regions: before.regions,
            disabled: before.disabled,
            displayName: before.displayName,
          },
          after: req.body,
        },
      });
      return user;
    },
  );

  app.post(
    '/api/users/:id/reset-password',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Reset a password: answers a one-time password; their sessions end',
        params: IdParams,
        response: { 200: PasswordResetSchema },
      },
    },
    async (req) => {
      const oneTimePassword = await access.resetPassword(req.params.id);
      audit(req, deps, { action: 'user.reset-password', targetType: 'user', targetId: req.params.id, storeId: null });
      return { oneTimePassword };
    },
  );
}
