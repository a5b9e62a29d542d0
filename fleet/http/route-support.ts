import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Permission } from '../../protocol/api/roles.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { AccessService } from '../access/access-service.ts';
import { can, type Principal } from '../access/principal.ts';
import type { AuditInput, AuditLog } from '../audit/audit-log.ts';
import type { Announcer } from '../broadcast/announcer/announcer.ts';
import type { ContentLibrary } from '../broadcast/content/content-library.ts';
import type { InsertService } from '../broadcast/inserts/insert-service.ts';
import type { PlayRepository } from '../broadcast/plays/play-repository.ts';
import type { BroadcastScheduleService } from '../broadcast/schedule/broadcast-schedule-service.ts';
import type { UpliftService } from '../broadcast/uplift/uplift-service.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { FleetConfig } from '../config.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { LoyaltyService } from '../loyalty/loyalty-service.ts';
import type { MemberAppAccess, MemberPrincipal } from '../member-app/member-app-access.ts';
import type { MemberCard } from '../member-app/member-card.ts';
import type { FleetMetrics } from '../metrics/fleet-metrics.ts';
import type { ReleaseService } from '../ota/releases/release-service.ts';
import type { RolloutService } from '../ota/rollouts/rollout-service.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import type { PromotionService } from '../promotions/promotion-service.ts';
import type { DeviceRegistry } from '../registry/device-registry.ts';
import type { Thing } from '../registry/registry-types.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import type { SalesHistoryImport } from '../sales/sales-history-import.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';
import type { TelemetryIngest } from '../telemetry/telemetry-ingest.ts';
import type { VisionService } from '../vision/vision-service.ts';
import type { DeviceView } from './device-view.ts';
import type { AlertsPort, CommandsPort, CommercePort, ProvisioningPort } from './ports.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the caller's role must allow; routes without it (and not public) need only a signed-in caller. */
    permission?: Permission;
    /** Reachable without signing in. */
    public?: boolean;
    /** A member app route: needs a member's session (the `cf_member` cookie), never a staff credential. */
    member?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    /** The signed-in member, on member app routes only. */
    member: MemberPrincipal | undefined;
  }
}

export interface HttpDeps {
  config: FleetConfig['http'];
  bus: EventBus<FleetEvents>;
  /** The fleet's clock: a query's default end is its now, the time telemetry is received and ordered by. */
  clock: Clock;
  access: AccessService;
  audit: AuditLog;
  devices: DeviceView;
  registry: DeviceRegistry;
  stores: StoreRepository;
  presence: PresenceService;
  telemetry: TelemetryIngest;
  shadows: ShadowService;
  broker: DeviceBroker;
  metrics: FleetMetrics;
  commands: CommandsPort | undefined;
  alerts: AlertsPort | undefined;
  provisioning: ProvisioningPort | undefined;
  catalog: CatalogService;
  promotions: PromotionService;
  /** Orders, payments, receipts and the attendant queue (issue 8). */
  commerce: CommercePort | undefined;
  /** The broadcast content library (fleet/broadcast/content/). */
  content: ContentLibrary;
  /** Members, points, coupons and the loyalty configuration (fleet/loyalty/). */
  loyalty: LoyaltyService;
  /** The member app's sign-in and what it shows (fleet/member-app/). */
  memberApp: MemberAppPort;
  /** Ad-hoc inserts and emergency announcements (fleet/broadcast/inserts/). */
  inserts: InsertService;
  /** Point-of-sale history and the promo uplift report (fleet/sales/, fleet/broadcast/uplift/). */
  sales: SalesPort;
  /** Proof of play (fleet/broadcast/plays/): the reports API reads it. */
  playRepository: PlayRepository;
  /** Programmes, campaigns and the schedule compiler (fleet/broadcast/schedule/); 404 when not running. */
  broadcastSchedule: BroadcastScheduleService | undefined;
  /** The built console (Vite output); the console routes answer "not built" when it is missing. */
  webRoot: string;
  /** Templates → speech → the content library (issue 9 item 2); its routes answer 404 without it. */
  announcer?: Announcer;
  /** OTA releases (fleet/ota/releases/, issue 10); its routes answer 404 without it. */
  releases?: ReleaseService;
  /** OTA rollouts (fleet/ota/rollouts/); their routes answer 404 without them. */
  rollouts?: RolloutService;
  /** Product recognition (fleet/vision/, issue 11); its routes answer 404 without it. */
  vision?: VisionService;
}

export interface SalesPort {
  history: SalesHistoryImport;
  uplift: UpliftService;
}

export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new FleetError('NOT_AUTHENTICATED', 'sign in first');
  return req.principal;
}

export function actorOf(req: FastifyRequest): { userId: string; username: string } {
  const p = principal(req);
  return { userId: p.userId, username: p.username };
}

/** The thing named in the URL if the caller may see it; otherwise 404, the same answer as for an unknown thing. */
export function visibleThing(req: FastifyRequest, deps: HttpDeps, thingName: string): Thing {
  const thing = deps.devices.visibleThing(principal(req), thingName);
  if (!thing) throw new FleetError('THING_NOT_FOUND', `no device '${thingName}'`);
  return thing;
}

export function requirePermission(req: FastifyRequest, permission: Permission, what: string): void {
  const p = principal(req);
  if (!can(p, permission)) throw new FleetError('NOT_AUTHORIZED', `your role (${p.role}) may not ${what}`);
}

export function audit(
  req: FastifyRequest,
  deps: HttpDeps,
  entry: Omit<AuditInput, 'actor' | 'ip' | 'userAgent'>,
  actor?: { id: string | null; username: string },
): void {
  const p = req.principal;
  deps.audit.record({
    ...entry,
    actor: actor ?? { id: p?.userId ?? null, username: p?.username ?? 'anonymous' },
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
  });
}

/** A principal's scope as the alert queries take it: `null` for the whole chain. */
export function scopeList(storeIds: ReadonlySet<string> | null): string[] | null {
  return storeIds === null ? null : [...storeIds];
}

/** The commerce subsystems; 404 when the fleet runs without them. */
export function commerceOf(deps: HttpDeps): CommercePort {
  if (!deps.commerce) throw new FleetError('NOT_FOUND', 'checkout is not running');
  return deps.commerce;
}

export const SESSION_COOKIE = 'cf_session';

/** The member app's session cookie, sent only to the member app's API (its path) and read by nothing else. */
export const MEMBER_SESSION_COOKIE = 'cf_member';
export const MEMBER_APP_API = '/api/member-app';

export interface MemberAppPort {
  access: MemberAppAccess;
  card: MemberCard;
  /** Where phones reach the fleet (`payments.publicUrl`, else the listening address): enrolment links start so. */
  publicUrl: () => string;
}

/** The signed-in member of a member app route. */
export function memberOf(req: FastifyRequest): MemberPrincipal {
  if (!req.member) throw new FleetError('NOT_AUTHENTICATED', 'sign in to the member app');
  return req.member;
}

export function noContent(reply: FastifyReply): FastifyReply {
  return reply.status(204).send();
}
