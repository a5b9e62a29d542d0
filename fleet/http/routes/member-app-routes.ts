import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import {
  MemberAppCodeSchema,
  MemberAppEnrolBody,
  MemberAppLinkSchema,
  MemberAppLoginBody,
  MemberAppProfileSchema,
} from '../../../protocol/api/member-app.ts';
import { MemberParams } from '../../../protocol/api/members.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import type { MemberSignedIn } from '../../member-app/member-app-access.ts';
import { qrSvg } from '../html-page.ts';
import {
  actorOf,
  audit,
  type HttpDeps,
  MEMBER_APP_API,
  MEMBER_SESSION_COOKIE,
  memberOf,
  noContent,
} from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/** The cookie goes only to the member app's API: the console's requests never carry it. */
const memberSecurity = [{ memberSession: [] }];

/**
 * The member app (issue 8 item 4): its page (`/member`), its sign-in (an enrolment link staff made, then member
 * number + PIN), and what a signed-in member reads: their card and their live member code. Staff make the
 * enrolment link with `POST /api/members/:id/app-link` (members:write: it lets whoever holds it become the member
 * in the app, as the code does).
 */
export function memberAppRoutes(app: ApiApp, deps: HttpDeps): void {
  const { access, card } = deps.memberApp;
  const setSession = (reply: FastifyReply, signedIn: MemberSignedIn) =>
    reply.setCookie(MEMBER_SESSION_COOKIE, signedIn.sessionSecret, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.config.secureCookies,
      path: MEMBER_APP_API,
      expires: new Date(signedIn.expiresAt),
    });
  const memberActor = (memberNumber: string) => ({ id: null, username: `member:${memberNumber}` });
  const userAgent = (req: FastifyRequest) => req.headers['user-agent'] ?? null;

  app.get(
    '/member',
    {
      config: { public: true },
      // A page for phones, not part of the operations API (kept out of the OpenAPI document, as the console is).
      schema: { hide: true, summary: 'The member app (HTML)' },
    },
    async (_req, reply) => {
      if (existsSync(join(deps.webRoot, 'member.html'))) return reply.type('text/html').sendFile('member.html');
      return reply
        .status(503)
        .type('text/html')
        .send('<h1>The member app is not built</h1><p>Run <code>npm run build:web</code>, then reload.</p>');
    },
  );

  app.post(
    '/api/members/:id/app-link',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['members'],
        summary:
          'A single-use member app enrolment link for the member’s phone (replaces their unused ones; redeeming it sets a new PIN)',
        params: MemberParams,
        response: { 201: MemberAppLinkSchema },
      },
    },
    async (req, reply) => {
      const { token, expiresAt } = await access.issueLink(req.params.id, actorOf(req).userId);
      audit(req, deps, {
        action: 'member.app-link',
        targetType: 'member',
        targetId: req.params.id,
        storeId: null,
        details: { expiresAt },
      });
      // The secret rides in the fragment: browsers never send it to the server, nor in a Referer.
      const url = `${deps.memberApp.publicUrl()}/member#enrol=${token}`;
      return reply.status(201).send({ url, expiresAt, qrSvg: await qrSvg(url) });
    },
  );

  app.post(
    `${MEMBER_APP_API}/enrol`,
    {
      config: { public: true },
      schema: {
        tags: ['member app'],
        summary: 'Redeem an enrolment link: choose the PIN and sign in (sets the cf_member cookie)',
        security: [],
        body: MemberAppEnrolBody,
        response: { 200: MemberAppProfileSchema },
      },
    },
    async (req, reply) => {
      const signedIn = await access.enrol(req.body.token, req.body.pin, userAgent(req));
      setSession(reply, signedIn);
      const profile = card.profile(signedIn.memberId, signedIn.csrf);
      audit(
        req,
        deps,
        { action: 'member-app.enrol', targetType: 'member', targetId: signedIn.memberId, storeId: null },
        memberActor(profile.memberNumber),
      );
      return profile;
    },
  );

  app.post(
    `${MEMBER_APP_API}/login`,
    {
      config: { public: true },
      schema: {
        tags: ['member app'],
        summary: 'Sign in with member number and PIN (sets the cf_member cookie)',
        security: [],
        body: MemberAppLoginBody,
        response: { 200: MemberAppProfileSchema },
      },
    },
    async (req, reply) => {
      try {
        const signedIn = await access.login(req.body.memberNumber, req.body.pin, req.ip, userAgent(req));
        setSession(reply, signedIn);
        return card.profile(signedIn.memberId, signedIn.csrf);
      } catch (err) {
        if (isFleetError(err, 'MEMBER_PIN_LOCKED')) {
          audit(
            req,
            deps,
            { action: 'member-app.pin-locked', targetType: 'member', targetId: null, storeId: null },
            memberActor(req.body.memberNumber),
          );
        }
        if (isFleetError(err, 'LOGIN_THROTTLED')) {
          reply.header('retry-after', Math.ceil((err.details as { retryAfterMs: number }).retryAfterMs / 1000));
        }
        throw err;
      }
    },
  );

  app.get(
    `${MEMBER_APP_API}/me`,
    {
      config: { member: true },
      schema: {
        tags: ['member app'],
        summary: 'The signed-in member’s card: points of their pool, tier, family size, coupons',
        security: memberSecurity,
        response: { 200: MemberAppProfileSchema },
      },
    },
    async (req) => {
      const member = memberOf(req);
      return card.profile(member.memberId, member.csrf);
    },
  );

  app.get(
    `${MEMBER_APP_API}/code`,
    {
      config: { member: true },
      schema: {
        tags: ['member app'],
        summary: 'The member code to show now (QR), with when it ends by the fleet’s clock',
        security: memberSecurity,
        response: { 200: MemberAppCodeSchema },
      },
    },
    async (req, reply) => {
      // A code lets whoever holds it log in as the member on a cart: never kept by a cache.
      reply.header('cache-control', 'no-store');
      return card.code(memberOf(req).memberId, deps.clock.now());
    },
  );

  app.post(
    `${MEMBER_APP_API}/logout`,
    {
      config: { member: true },
      schema: {
        tags: ['member app'],
        summary: 'Sign out of the member app',
        security: memberSecurity,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const cookie = req.cookies[MEMBER_SESSION_COOKIE];
      if (cookie) await access.logout(cookie);
      reply.clearCookie(MEMBER_SESSION_COOKIE, { path: MEMBER_APP_API });
      return noContent(reply);
    },
  );
}
