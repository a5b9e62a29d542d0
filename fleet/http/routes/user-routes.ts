import type { FastifyInstance } from 'fastify';
import type { NewUserInput } from '../../access/access-service.ts';
import { ROLES, type Role } from '../../access/roles.ts';
import { audit, type HttpDeps, idParams, principal } from '../route-support.ts';

const storeIds = {
  type: 'array',
  maxItems: 500,
  items: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
} as const;
const regions = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

export const userSchema = {
  $id: 'User',
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    storeIds: { type: 'array', items: { type: 'string' } },
    regions: { type: 'array', items: { type: 'string' } },
    mustChangePassword: { type: 'boolean' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
    lastLoginAt: { type: ['integer', 'null'] },
  },
} as const;

export function userRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { access } = deps;
  app.addSchema(userSchema);

  app.get(
    '/api/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Everyone who can sign in',
        response: { 200: { type: 'array', items: { $ref: 'User#' } } },
      },
    },
    async () => access.users.list(),
  );

  app.post<{ Body: NewUserInput }>(
    '/api/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user; answers a one-time password they must change at first sign-in',
        body: {
          type: 'object',
          required: ['username', 'displayName', 'role'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 2, maxLength: 64 },
            displayName: { type: 'string', minLength: 1, maxLength: 120 },
            role: { type: 'string', enum: [...ROLES] },
            storeIds,
            regions,
          },
        },
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

  app.patch<{
    Params: { id: string };
    Body: { displayName?: string; role?: Role; storeIds?: string[]; regions?: string[]; disabled?: boolean };
  }>(
    '/api/users/:id',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role, stores or regions, or disable them",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            displayName: { type: 'string', minLength: 1, maxLength: 120 },
            role: { type: 'string', enum: [...ROLES] },
            storeIds,
            regions,
            disabled: { type: 'boolean' },
          },
        },
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

  app.post<{ Params: { id: string } }>(
    '/api/users/:id/reset-password',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Reset a password: answers a one-time password; their sessions end',
        params: idParams,
      },
    },
    async (req) => {
      const oneTimePassword = await access.resetPassword(req.params.id);
      audit(req, deps, { action: 'user.reset-password', targetType: 'user', targetId: req.params.id, storeId: null });
      return { oneTimePassword };
    },
  );
}
