import {
  FamilyMemberBody,
  FamilyMemberParams,
  FamilyParams,
  FamilySchema,
  LedgerPageSchema,
  LedgerQuery,
  MemberChangesBody,
  MemberCodeSchema,
  MemberDetailSchema,
  MemberListQuery,
  MemberPageSchema,
  MemberParams,
  MemberSchema,
  NewFamilyBody,
  NewMemberBody,
  PointsAdjustBody,
} from '../../../protocol/api/members.ts';
import { publicMember } from '../../loyalty/member-repository.ts';
import { actorOf, audit, type HttpDeps } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

const LEDGER_SUMMARY = 'A member’s pool: entries newest first, each naming the member who made it, and the balance';

/** Members, their ledger and their family accounts. Members are chain-wide: no store scope applies. */
export function memberRoutes(app: ApiApp, deps: HttpDeps): void {
  const { loyalty } = deps;

  app.get(
    '/api/members',
    {
      config: { permission: 'members:read' },
      schema: {
        tags: ['members'],
        summary: 'Find members by number (prefix), name (part) or whole phone number',
        querystring: MemberListQuery,
        response: { 200: MemberPageSchema },
      },
    },
    async (req) => {
      const { items, total } = loyalty.search(req.query);
      return { items: items.map(publicMember), total };
    },
  );

  app.post(
    '/api/members',
    {
      config: { permission: 'members:write' },
      schema: { tags: ['members'], summary: 'Enrol a member', body: NewMemberBody, response: { 201: MemberSchema } },
    },
    async (req, reply) => {
      const member = await loyalty.createMember(req.body);
      // The phone number is personal data: the audit says whether one was given, not which.
      audit(req, deps, {
        action: 'member.create',
        targetType: 'member',
        targetId: member.id,
        storeId: null,
        details: { memberNumber: member.memberNumber, tierId: member.tierId, phone: member.phone !== null },
      });
      return reply.status(201).send(publicMember(member));
    },
  );

  app.get(
    '/api/members/:id',
    {
      config: { permission: 'members:read' },
      schema: {
        tags: ['members'],
        summary: 'A member with their pool’s balance, family and coupons',
        params: MemberParams,
        response: { 200: MemberDetailSchema },
      },
    },
    async (req) => loyalty.detail(req.params.id),
  );

  app.patch(
    '/api/members/:id',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['members'],
        summary: 'Change a member’s name, phone or tier, or disable them',
        params: MemberParams,
        body: MemberChangesBody,
        response: { 200: MemberSchema },
      },
    },
    async (req) => {
      const member = await loyalty.updateMember(req.params.id, req.body);
      const { phone, ...change } = req.body;
      audit(req, deps, {
        action: 'member.update',
        targetType: 'member',
        targetId: member.id,
        storeId: null,
        details: { ...change, ...(phone !== undefined ? { phone: phone === null ? 'removed' : 'changed' } : {}) },
      });
      return publicMember(member);
    },
  );

  app.get(
    '/api/members/:id/code',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['members'],
        summary: 'The member code the member app shows now (it logs in as the member: members:write only)',
        params: MemberParams,
        response: { 200: MemberCodeSchema },
      },
    },
    async (req) => {
      const code = loyalty.currentCode(req.params.id);
      audit(req, deps, { action: 'member.code', targetType: 'member', targetId: req.params.id, storeId: null });
      return code;
    },
  );

  app.get(
    '/api/members/:id/ledger',
    {
      config: { permission: 'members:read' },
      schema: {
        tags: ['members'],
        summary: LEDGER_SUMMARY,
        params: MemberParams,
        querystring: LedgerQuery,
        response: { 200: LedgerPageSchema },
      },
    },
    async (req) => loyalty.points.ledger(req.params.id, req.query.limit, req.query.offset),
  );

  app.post(
    '/api/members/:id/points/adjust',
    {
      config: { permission: 'points:adjust' },
      schema: {
        tags: ['members'],
        summary: 'Correct a member’s points (signed), with the reason; never below zero',
        params: MemberParams,
        body: PointsAdjustBody,
        response: { 200: LedgerPageSchema },
      },
    },
    async (req) => {
      const { userId } = actorOf(req);
      const { entryId, balance } = await loyalty.points.adjust(req.params.id, req.body.points, userId, req.body.note);
      audit(req, deps, {
        action: 'points.adjust',
        targetType: 'member',
        targetId: req.params.id,
        storeId: null,
        details: { points: req.body.points, note: req.body.note, entryId, balance },
      });
      return loyalty.points.ledger(req.params.id, 20, 0);
    },
  );

  app.post(
    '/api/families',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['members'],
        summary: 'Create a family account; the owner’s points move into its shared pool',
        body: NewFamilyBody,
        response: { 201: FamilySchema },
      },
    },
    async (req, reply) => {
      const family = await loyalty.createFamily(req.body.ownerId);
      audit(req, deps, {
        action: 'family.create',
        targetType: 'family',
        targetId: family.id,
        storeId: null,
        details: { ownerId: family.ownerId },
      });
      return reply.status(201).send(family);
    },
  );

  app.get(
    '/api/families/:id',
    {
      config: { permission: 'members:read' },
      schema: { tags: ['members'], summary: 'A family account', params: FamilyParams, response: { 200: FamilySchema } },
    },
    async (req) => loyalty.family(req.params.id),
  );

  app.post(
    '/api/families/:id/members',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['members'],
        summary: 'Add a member (an owner and up to 5); their points move into the family pool',
        params: FamilyParams,
        body: FamilyMemberBody,
        response: { 200: FamilySchema },
      },
    },
    async (req) => {
      const family = await loyalty.addFamilyMember(req.params.id, req.body.memberId);
      audit(req, deps, {
        action: 'family.add',
        targetType: 'family',
        targetId: family.id,
        storeId: null,
        details: { memberId: req.body.memberId },
      });
      return family;
    },
  );

  app.delete(
    '/api/families/:id/members/:memberId',
    {
      config: { permission: 'members:write' },
      schema: {
        tags: ['members'],
        summary: 'Remove a member (not the owner); the shared points stay with the family',
        params: FamilyMemberParams,
        response: { 200: FamilySchema },
      },
    },
    async (req) => {
      const family = await loyalty.removeFamilyMember(req.params.id, req.params.memberId);
      audit(req, deps, {
        action: 'family.remove',
        targetType: 'family',
        targetId: family.id,
        storeId: null,
        details: { memberId: req.params.memberId },
      });
      return family;
    },
  );
}
