/**
 * The operations API's shapes as the console uses them: every one comes from the API contract (protocol/api/, the
 * JSON Schemas the fleet validates and serializes with), so a changed field fails this build as it fails the
 * server's and the CLI's. Nothing is declared here. Type-only: no contract code enters the bundle through this file.
 */
export type { AlertCause, AlertRule, AlertRuleInput, AlertSeverity } from '../../../protocol/api/alert-rules.ts';
export type { Alert, AlertActor, AlertPage, AlertState } from '../../../protocol/api/alerts.ts';
// Broadcast (issue 9): the announcer, proof of play, the uplift report.
export type {
  Announcement,
  AnnouncerLanguage,
  AnnouncerTemplate,
  PreviewResponse,
  RenderResponse,
} from '../../../protocol/api/announcer.ts';
export type { AuditEntry, AuditPage } from '../../../protocol/api/audit.ts';
export type { ApiToken, CreatedToken, Me, SignedIn } from '../../../protocol/api/auth.ts';
export type { BroadcastEmergency, BroadcastInsert, InsertBody } from '../../../protocol/api/broadcast-inserts.ts';
// Commerce (issue 8): the catalog, promotions, orders, the attendant queue, members and the cart screen.
export type {
  ImportProblem,
  ImportReport,
  ProductPage,
  StorePricePage,
} from '../../../protocol/api/catalog.ts';
export type { Command, CommandStatus } from '../../../protocol/api/commands.ts';
export type { ContentAsset, ContentPage, ContentUploadResult } from '../../../protocol/api/content.ts';
export type {
  Certificate,
  DeviceDetail,
  DeviceKind,
  DeviceListQuery,
  DevicePage,
  DevicePresenceState,
  DeviceSort,
  DeviceSummary,
  Shadow,
} from '../../../protocol/api/devices.ts';
export type { LiveEventName, LiveEvents } from '../../../protocol/api/live-events.ts';
export type { CouponRecord } from '../../../protocol/api/loyalty.ts';
export type { MemberAppLink } from '../../../protocol/api/member-app.ts';
export type {
  Family,
  LedgerEntry,
  LedgerPage,
  Member,
  MemberDetail,
  MemberPage,
} from '../../../protocol/api/members.ts';
export type { OrderDetail, RefundBody } from '../../../protocol/api/orders.ts';
export type { Overview, PresenceCounts } from '../../../protocol/api/overview.ts';
export type { Page } from '../../../protocol/api/parameters.ts';
export type { PromotionPage, PromotionRecord } from '../../../protocol/api/promotions.ts';
// OTA (issue 10): releases, rollouts, maintenance windows, a device's slots and update history.
export type {
  PublishReleaseRequest,
  ReleaseDetail,
  ReleasePage,
  ReleaseSummary,
  StagedArtifact,
} from '../../../protocol/api/releases.ts';
export type { Permission, Role } from '../../../protocol/api/roles.ts';
export type {
  AbortCriteria,
  DeviceOta,
  MaintenanceWindow,
  MaintenanceWindows,
  PhaseStart,
  RetryCriteria,
  Rollout,
  RolloutDevice,
  RolloutDevicePage,
  RolloutDeviceStatus,
  RolloutExclusion,
  RolloutPage,
  RolloutPhaseSpec,
  RolloutPreview,
  RolloutSpec,
  RolloutState,
  RolloutTargets,
} from '../../../protocol/api/rollouts.ts';
export type { UpliftComparison, UpliftReport } from '../../../protocol/api/sales.ts';
export type { Store, Zone } from '../../../protocol/api/stores.ts';
export type { Series, SeriesPoint, TelemetryPoint } from '../../../protocol/api/telemetry.ts';
export type { CreatedUser, PasswordReset, User } from '../../../protocol/api/users.ts';
// Product recognition (issue 11): store galleries, their versions, each cart's model and gallery, field accuracy.
export type {
  CartVision,
  EnrolledProduct,
  EnrolledProductPage,
  EnrolledProductSummary,
  FieldAccuracyReport,
  GalleryBuildResult,
  GalleryPhoto,
  GalleryVersion,
  GalleryVersionPage,
  GalleryVersionState,
  PhotoUpload,
  PlanogramEntry,
  ShareFigure,
  StoreVision,
  VisionSettings,
  VisionSettingsBody,
} from '../../../protocol/api/vision.ts';
export type { CommandName } from '../../../protocol/commands.ts';
export type { AttendantReason, AttendantRequest } from '../../../protocol/commerce/attendant.ts';
export type { CartScreenState } from '../../../protocol/commerce/cart-screen.ts';
export type { Category, Product, SoldBy, StorePrice } from '../../../protocol/commerce/catalog.ts';
export type { Coupon, EarnRule, RedemptionPolicy, Tier } from '../../../protocol/commerce/loyalty.ts';
export type { Order, OrderLine, OrderState } from '../../../protocol/commerce/orders.ts';
export type { Promotion, PromotionKind } from '../../../protocol/commerce/promotions.ts';
export type { CartScreenEvent, ScreenWatchReply } from '../../../protocol/commerce/screen-mirror.ts';
export type { LocalizedText } from '../../../protocol/commerce/text.ts';
export type { JobFailureType } from '../../../protocol/jobs-status.ts';
export type { ComponentSlots, OtaFailureReason, OtaReported, OtaStep } from '../../../protocol/ota/device-ota.ts';
export type { OtaComponent, ReleaseManifest, ReleaseSignature, SignedRelease } from '../../../protocol/ota/release.ts';
