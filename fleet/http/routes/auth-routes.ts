import type { FastifyReply } from 'fastify';
import {
  ApiTokenSchema,
  CreatedTokenSchema,
  LoginBody,
  MeSchema,
  NewTokenBody,
  PasswordChangeBody,
  SignedInSchema,
} from '../../../protocol/api/auth.ts';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import { IdParams } from '../../../protocol/api/parameters.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { SignedIn } from '../../access/access-service.ts';
import { permissionsOf } from '../../access/principal.ts';
import { audit, type HttpDeps, noContent, principal, SESSION_COOKIE } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function authRoutes(app: ApiApp, deps: HttpDeps): void {
  const { access } = deps;
  const cookieOptions = (expiresAt: number) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: deps.config.secureCookies,
    path: '/',
    expires: new Date(expiresAt),
  });
  const setSession = (reply: FastifyReply, signedIn: SignedIn) =>
    reply.setCookie(SESSION_COOKIE, signedIn.sessionSecret, cookieOptions(signedIn.expiresAt));

  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in (browser): sets the session cookie and returns the CSRF value',
        security: [],
        body: LoginBody,
        response: { 200: SignedInSchema },
      },
    },
    async (req, reply) => {
      const ua = req.headers['user-agent'] ?? null;
      try {
        const signedIn = await access.login(req.body.username, req.body.password, req.ip, ua);
        setSession(reply, signedIn);
        const actor = { id: signedIn.user.id, username: signedIn.user.username };
        audit(req, deps, { action: 'auth.login', targetType: 'user', targetId: actor.id, storeId: null }, actor);
        return { user: signedIn.user, csrf: signedIn.csrf };
      } catch (err) {
        if (isFleetError(err, 'LOGIN_FAILED')) {
          const actor = { id: null, username: req.body.username.slice(0, 64) };
          audit(req, deps, { action: 'auth.login-failed', targetType: 'user', targetId: null, storeId: null }, actor);
        }
        if (isFleetError(err, 'LOGIN_THROTTLED')) {
          reply.header('retry-after', Math.ceil((err.details as { retryAfterMs: number }).retryAfterMs / 1000));
        }
        throw err;
      }
    },
  );

  // A single-use sign-in link (the demo prints one): sign in and go to the console.
  app.get(
    '/login',
    {
      config: { public: true },
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: { ticket: { type: 'string', maxLength: 100 }, error: { type: 'string', maxLength: 32 } },
        },
        response: {
          200: { description: 'the console (index.html)', content: { 'text/html': { schema: { type: 'string' } } } },
          303: { ...NoContent, description: 'to the console, or back to /login?error=ticket' },
        },
      },
    },
    async (req, reply) => {
      if (!req.query.ticket) return reply.type('text/html').sendFile('index.html');
      try {
        const signedIn = access.loginWithTicket(req.query.ticket, req.ip, req.headers['user-agent'] ?? null);
        setSession(reply, signedIn);
        const actor = { id: signedIn.user.id, username: signedIn.user.username };
        audit(
          req,
          deps,
          { action: 'auth.login', targetType: 'user', targetId: actor.id, storeId: null, details: { via: 'ticket' } },
          actor,
        );
        return reply.redirect('/', 303);
      } catch (err) {
        if (!isFleetError(err)) throw err;
        return reply.redirect('/login?error=ticket', 303);
      }
    },
  );

  // Ends this session only (the user's other browsers stay signed in) and closes the live sockets opened with it.
  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: NoContent } } },
    async (req, reply) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) access.logout(cookie);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return noContent(reply);
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who am I: user, CSRF value, permissions, scope',
        response: { 200: MeSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      const user = access.users.get(p.userId);
      if (!user) throw new FleetError('NOT_AUTHENTICATED', 'sign in first');
      return {
        user,
        csrf: p.csrf,
        permissions: permissionsOf(p),
        storeIds: p.storeIds === null ? null : [...p.storeIds].sort(),
      };
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change my password (required after a one-time password)',
        body: PasswordChangeBody,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const p = principal(req);
      // The session the change is made from goes on; the user's other sessions end (and their live sockets close).
      const keep = p.via === 'session' ? req.cookies[SESSION_COOKIE] : undefined;
      const endedSessions = await access.changePassword(
        p.userId,
        req.body.currentPassword,
        req.body.newPassword,
        keep,
        req.ip,
      );
      audit(req, deps, {
        action: 'auth.password',
        targetType: 'user',
        targetId: p.userId,
        storeId: null,
        details: { endedSessions },
      });
      return noContent(reply);
    },
  );

  app.get(
    '/api/auth/tokens',
    {
      schema: { tags: ['auth'], summary: 'My API tokens', response: { 200: { type: 'array', items: ApiTokenSchema } } },
    },
    async (req) => access.listTokens(principal(req).userId),
  );

  app.post(
    '/api/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for scripts and the CLI (shown once)',
        body: NewTokenBody,
        response: { 201: CreatedTokenSchema },
      },
    },
    async (req, reply) => {
      const p = principal(req);
      if (p.via === 'token') throw new FleetError('NOT_AUTHORIZED', 'API tokens are created from a signed-in session');
      const { record, token } = access.createToken(p.userId, req.body.name, req.body.expiresInDays);
      audit(req, deps, {
        action: 'token.create',
        targetType: 'token',
        targetId: record.id,
        storeId: null,
        details: { name: record.name, expiresAt: record.expiresAt },
      });
      const { userId: _owner, ...listed } = record;
      return reply.status(201).send({ ...listed, token });
    },
  );

  app.delete(
    '/api/auth/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Delete one of my API tokens',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const p = principal(req);
      access.deleteToken(p.userId, req.params.id);
      audit(req, deps, { action: 'token.delete', targetType: 'token', targetId: req.params.id, storeId: null });
      return noContent(reply);
    },
  );
}
