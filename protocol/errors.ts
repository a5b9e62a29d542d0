/**
 * Every error the fleet and the device runtimes raise carries a code from this table. Tests assert codes, not
 * messages. MQTT request failures answer on the rejected/response topic; HTTP failures answer with JSON
 * `{ code, message }` and the status given here.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 500,
  BAD_REQUEST: 400,
  PAYLOAD_INVALID_JSON: 400,
  PAYLOAD_SCHEMA: 400,
  PAYLOAD_TOO_LARGE: 413,
  TOPIC_UNKNOWN: 404,
  NOT_AUTHORIZED: 403,
  NOT_AUTHENTICATED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SHADOW_NOT_FOUND: 404,
  SHADOW_VERSION_CONFLICT: 409,
  SHADOW_TOO_LARGE: 413,
  SHADOW_INVALID: 400,
  CERTIFICATE_UNKNOWN: 401,
  CERTIFICATE_REVOKED: 401,
  CERTIFICATE_INACTIVE: 401,
  POLICY_INVALID: 400,
  POLICY_NOT_FOUND: 404,
  POLICY_DENIED: 403,
  THING_NOT_FOUND: 404,
  THING_EXISTS: 409,
  THING_NAME_RESERVED: 400,
  STORE_NOT_FOUND: 404,
  ZONE_NOT_FOUND: 404,
  TELEMETRY_QUERY_INVALID: 400,
  TELEMETRY_TS_OUT_OF_RANGE: 400,
  /** The database is locked by another connection (a backup, an operator's `sqlite3` shell): try again shortly. */
  STORAGE_BUSY: 503,
  OUTBOX_FULL: 507,
  ALERT_NOT_FOUND: 404,
  ALERT_STATE_INVALID: 409,
  ALERT_RULES_INVALID: 400,
  LOGIN_FAILED: 401,
  LOGIN_THROTTLED: 429,
  LOGIN_TICKET_INVALID: 401,
  PASSWORD_CHANGE_REQUIRED: 403,
  PASSWORD_WEAK: 400,
  PASSWORD_INCORRECT: 403,
  CSRF_MISSING: 403,
  USER_NOT_FOUND: 404,
  USER_EXISTS: 409,
  USER_INVALID: 400,
  TOKEN_NOT_FOUND: 404,
  DESIRED_STATE_INVALID: 400,
  DEVICE_OFFLINE: 409,
  COMMAND_UNKNOWN: 400,
  COMMAND_PARAMS_INVALID: 400,
  COMMAND_NOT_FOUND: 404,
  COMMAND_EXPIRED: 410,
  COMMAND_TIMED_OUT: 504,
  PROVISIONING_TEMPLATE_NOT_FOUND: 404,
  PROVISIONING_TEMPLATE_INVALID: 400,
  PROVISIONING_TEMPLATE_DISABLED: 403,
  PROVISIONING_PARAMETERS_INVALID: 400,
  PROVISIONING_TOKEN_INVALID: 400,
  PROVISIONING_CSR_INVALID: 400,
  PROVISIONING_NOT_PENDING: 409,
  PROVISIONING_REJECTED: 400,
  PROVISIONING_TIMEOUT: 504,
  // Commerce (issue 8). Catalog and barcodes:
  CATALOG_IMPORT_INVALID: 400,
  PRODUCT_NOT_FOUND: 404,
  PRODUCT_UNAVAILABLE: 409,
  CATEGORY_NOT_FOUND: 404,
  GTIN_CHECK_DIGIT: 400,
  GTIN_INVALID: 400,
  BARCODE_UNKNOWN: 404,
  BARCODE_VARIABLE_MEASURE_INVALID: 400,
  // Catalog writes and imports (fleet/catalog/): the codes of an import report's rows, also answered by single writes.
  CATALOG_FIELD_INVALID: 400,
  CATALOG_PRICE_INVALID: 400,
  CATALOG_PLU_INVALID: 400,
  CATALOG_COLUMN_MISSING: 400,
  CATALOG_COLUMN_UNKNOWN: 400,
  CATALOG_CSV_INVALID: 400,
  CATALOG_SKU_DUPLICATE: 409,
  CATALOG_GTIN_DUPLICATE: 409,
  CATALOG_PLU_DUPLICATE: 409,
  CATEGORY_INVALID: 400,
  CATEGORY_IN_USE: 409,
  VARIABLE_MEASURE_LAYOUT_INVALID: 400,
  // Promotions and pricing:
  PROMOTION_INVALID: 400,
  PROMOTION_NOT_FOUND: 404,
  PRICING_INPUT_INVALID: 400,
  SNAPSHOT_NOT_FOUND: 404,
  // Pricing snapshots on the cart and their delivery (AWS MQTT-based file delivery, fleet/streams/):
  /** The downloaded snapshot does not match its announcement (size, sha256, version or store). */
  SNAPSHOT_CHECKSUM_MISMATCH: 422,
  /** The snapshot's bytes are not gzip JSON that PricingSnapshotSchema accepts. */
  SNAPSHOT_INVALID: 422,
  /** A stream the fleet was asked to publish breaks AWS's limits (files, ids, sizes). */
  STREAM_INVALID: 400,
  /** The streaming service answered ResourceNotFound: no such stream, file or block. */
  STREAM_NOT_FOUND: 404,
  /** The streaming service answered Unauthorized: the thing may not read that stream. */
  STREAM_UNAUTHORIZED: 403,
  /** The stream changed (VersionMismatch) while it was being downloaded. */
  STREAM_VERSION_MISMATCH: 409,
  /** The streaming service refused a request for another reason (its code is in the details). */
  STREAM_REJECTED: 400,
  /** The downloaded file's size or sha256 is not what the device was told to expect. */
  STREAM_FILE_MISMATCH: 409,
  /** Blocks did not arrive after the retries allowed. */
  STREAM_TIMEOUT: 504,
  /** A download was given up because its client stopped. */
  STREAM_ABORTED: 503,
  // Weighing on the cart:
  WEIGHT_NEGATIVE: 400,
  WEIGHT_NOT_SETTLED: 409,
  /** The settled weight change is not what one item of the named product weighs (outside its tolerance). */
  WEIGHT_MISMATCH: 409,
  // Members, points, coupons:
  MEMBER_NOT_FOUND: 404,
  MEMBER_CODE_INVALID: 401,
  MEMBER_INVALID: 400,
  FAMILY_FULL: 409,
  FAMILY_INVALID: 400,
  POINTS_INSUFFICIENT: 409,
  POINTS_LIMIT_EXCEEDED: 409,
  POINTS_REDEMPTION_INVALID: 400,
  COUPON_NOT_FOUND: 404,
  COUPON_EXPIRED: 409,
  COUPON_USED: 409,
  COUPON_NOT_OWNED: 403,
  COUPON_MIN_SPEND: 409,
  // Loyalty, refined (issue 8 part D): member and family bookkeeping, ledger amounts and holds, coupon states,
  // the loyalty configuration.
  MEMBER_EXISTS: 409,
  FAMILY_NOT_FOUND: 404,
  POINTS_INVALID: 400,
  POINTS_HOLD_NOT_FOUND: 404,
  POINTS_HOLD_SETTLED: 409,
  COUPON_INVALID: 400,
  COUPON_NOT_YET_VALID: 409,
  COUPON_REVOKED: 409,
  LOYALTY_CONFIG_INVALID: 400,
  // The member app (fleet/member-app/): a member signs in with their member number and a PIN they chose through a
  // single-use enrolment link staff made for them.
  /** Wrong member number or PIN, or no PIN set yet: one answer for all, so numbers cannot be probed. */
  MEMBER_LOGIN_FAILED: 401,
  /** Too many wrong PINs in a row: only a new enrolment link (from staff) sets a new PIN. */
  MEMBER_PIN_LOCKED: 403,
  /** Not 6 digits, or too easy to guess (one digit repeated, a straight run). */
  MEMBER_PIN_WEAK: 400,
  /** The enrolment link is unknown, used, superseded by a newer one or expired. */
  MEMBER_APP_LINK_INVALID: 401,
  // Orders, payment, attendants:
  ORDER_NOT_FOUND: 404,
  ORDER_INVALID: 400,
  ORDER_IDEMPOTENCY_CONFLICT: 409,
  ORDER_PRICE_BELOW_RULES: 409,
  ORDER_STATE_INVALID: 409,
  PAYMENT_SIGNATURE_INVALID: 401,
  PAYMENT_REPLAYED: 409,
  PAYMENT_TIMESTAMP_INVALID: 401,
  PAYMENT_AMOUNT_MISMATCH: 409,
  PAYMENT_NOT_FOUND: 404,
  REFUND_INVALID: 400,
  ATTENDANT_REQUEST_NOT_FOUND: 404,
  STAFF_CODE_INVALID: 403,
  // Cart hardware (devices/cart/hardware/); an unsettled scale reading is WEIGHT_NOT_SETTLED above.
  /** The scale's ADC did not power up, failed its calibration or stopped answering on I2C. */
  SCALE_FAULT: 503,
  /** The barcode scanner's port could not be opened (no such device, or the serial binding is not built). */
  SCANNER_UNAVAILABLE: 503,
  // The console's read-only cart screen (screen-mirror command, cx/cartfleet/{thing}/screen):
  /** The cart has no screen model to mirror (its commerce part is not running), or the device is not a cart. */
  CART_SCREEN_UNAVAILABLE: 409,
  // Broadcast (issue 9): content library, announcer, schedules, manifests, playing, proof of play.
  /** The upload is not audio ffmpeg can decode (a truncated or corrupt file, or another kind of file). */
  AUDIO_UNDECODABLE: 415,
  /** The upload has no bytes, or decodes to no samples. */
  AUDIO_EMPTY: 400,
  /** The upload decodes to silence (integrated loudness below the gate): nothing a shopper could hear. */
  AUDIO_SILENT: 422,
  /** Longer than the configured maximum duration (default 2 h). */
  AUDIO_TOO_LONG: 413,
  /** More bytes than the configured maximum upload (default 100 MB). */
  AUDIO_TOO_LARGE: 413,
  /** The normalised result did not measure within the tolerance of the target loudness: nothing was stored. */
  AUDIO_NORMALISATION_FAILED: 500,
  /** No ffmpeg binary could be resolved (configured path, ffmpeg-static, @ffmpeg-installer, PATH). */
  FFMPEG_UNAVAILABLE: 503,
  ASSET_NOT_FOUND: 404,
  /** The asset is still used by a campaign, programme or template. */
  ASSET_IN_USE: 409,
  /** An announcer template names a field the announcer does not know. */
  TEMPLATE_FIELD_UNKNOWN: 400,
  /** A template's field was given no value (or a value of the wrong kind). */
  TEMPLATE_FIELD_MISSING: 400,
  TEMPLATE_NOT_FOUND: 404,
  /** The text-to-speech engine failed or produced no audio. */
  TTS_FAILED: 500,
  /** The announcer's synthesis queue is full (many previews or renders at once): try again in a moment. */
  ANNOUNCER_BUSY: 503,
  /** Not an RFC 5545 recurrence rule the scheduler accepts. */
  RRULE_INVALID: 400,
  /** A programme, campaign or slot that is not consistent (dates, layers, caps, targets). */
  SCHEDULE_INVALID: 400,
  CAMPAIGN_NOT_FOUND: 404,
  PROGRAMME_NOT_FOUND: 404,
  /** HQ made this campaign mandatory: a store may not opt out (or may not opt in to one HQ did not offer it). */
  CAMPAIGN_OPT_NOT_ALLOWED: 403,
  /** An emergency announcement is already playing in that store: clear it first. */
  EMERGENCY_ALREADY_ACTIVE: 409,
  EMERGENCY_NOT_ACTIVE: 409,
  /** A manifest (or an asset) whose bytes do not match the sha256 it was announced with. */
  MANIFEST_HASH_MISMATCH: 422,
  /** A manifest that does not parse or does not match the schema. */
  MANIFEST_INVALID: 422,
  /** A downloaded asset whose bytes do not match its sha256. */
  ASSET_HASH_MISMATCH: 422,
  /** The speaker's cache cannot hold what its horizon needs within its storage budget. */
  CACHE_BUDGET_EXCEEDED: 507,
  /** A proof-of-play record for another thing than the one that sent it. */
  PLAY_THING_MISMATCH: 403,
  /** An HTTP Range beyond the file (RFC 9110 §15.5.17): the device starts the download again from 0. */
  RANGE_NOT_SATISFIABLE: 416,
  /** The speaker has no audio output (no sound card, the sink could not be opened). */
  AUDIO_OUTPUT_UNAVAILABLE: 503,
  /** A point-of-sale history import with problems (each listed in `details`): nothing was imported. */
  SALES_HISTORY_INVALID: 400,
  // OTA (issue 10). Releases and rollouts on the fleet; the OTA_* reasons are what a device reports on its job.
  /** A release manifest or upload that does not match the schema (fields, semver, media type, size). */
  RELEASE_INVALID: 400,
  /** No signature verifies against the manifest with the key it names. */
  RELEASE_SIGNATURE_INVALID: 422,
  /** The manifest is signed with a key the fleet does not trust. */
  RELEASE_KEY_UNKNOWN: 422,
  /** The uploaded bytes do not match the manifest's sha256 or size. */
  RELEASE_HASH_MISMATCH: 422,
  /** A release of that name and version exists already (releases are immutable). */
  RELEASE_EXISTS: 409,
  RELEASE_NOT_FOUND: 404,
  /** The fleet has no signing key configured and the request carried no signature. */
  RELEASE_SIGNING_KEY_MISSING: 503,
  /** The release is still used by a rollout that has not finished. */
  RELEASE_IN_USE: 409,
  /** Targets, phases, windows or criteria that do not add up (phases over 100 %, an empty target, a bad cron). */
  ROLLOUT_INVALID: 400,
  ROLLOUT_NOT_FOUND: 404,
  /** Pause, resume, abort or retry in a state that does not allow it (a finished rollout, a running one resumed). */
  ROLLOUT_STATE_INVALID: 409,
  /** The rollout would install a lower version and did not say `allowDowngrade`. */
  ROLLOUT_DOWNGRADE: 409,
  /** A device refused the job document (not JSON, not the schema, an unknown operation). */
  OTA_DOCUMENT_INVALID: 400,
  OTA_SIGNATURE_INVALID: 422,
  OTA_KEY_UNKNOWN: 422,
  OTA_KIND_MISMATCH: 422,
  OTA_HARDWARE_MISMATCH: 422,
  OTA_DOWNGRADE: 409,
  /** The installed version is outside the release's `upgradeFrom` range. */
  OTA_UPGRADE_PATH: 409,
  OTA_DOWNLOAD_FAILED: 502,
  OTA_HASH_MISMATCH: 422,
  OTA_DISK_FULL: 507,
  OTA_INSTALL_FAILED: 500,
  OTA_HEALTH_CHECK_FAILED: 500,
  OTA_HEALTH_CHECK_TIMEOUT: 504,
  /** The new software kept ending before it could commit: the previous slot came back. */
  OTA_CRASH_LOOP: 500,
  /** The new software never reached the fleet within the health check's time. */
  OTA_NO_CONTACT: 504,
  /** The rollout was aborted or the execution canceled while the device was on it. */
  OTA_CANCELED: 409,
  // Models on a device (ota/model/): the sessions the self-test and the runtime's inference run in worker threads.
  /** onnxruntime refused the model file (not ONNX, an operator or opset it does not have). */
  MODEL_LOAD_FAILED: 422,
  /** An inference failed (inputs of the wrong shape, the model's worker thread exited). */
  MODEL_RUN_FAILED: 500,
  /** No model is active yet (none installed, or its session is stopping). */
  MODEL_UNAVAILABLE: 503,
  // Product recognition (issue 11): the fusion rule (vision/fusion/).
  /** A fusion input that is not evidence: a similarity that is no cosine, a weight that is no number, a SKU twice. */
  RECOGNITION_INPUT_INVALID: 400,
  /** Fusion thresholds out of range or contradicting each other (each problem listed in `details`). */
  RECOGNITION_POLICY_INVALID: 400,
  // Product recognition (issue 11): a store's gallery of product embeddings (protocol/vision/gallery.ts).
  /** A gallery file or its rows refused: bad magic, truncated, header invalid, sizes disagree, a NaN or non-normalised row (`details.problem`). */
  GALLERY_INVALID: 422,
  /** A gallery or a query whose embedding size or model is not the one the cart runs. */
  GALLERY_MODEL_MISMATCH: 409,
  // Product recognition (issue 11): the basket camera (vision/camera/).
  /** No frame: the device is missing, ffmpeg is missing or exited, no frame in time, a bad frame, or a fault injected (`details.reason`, one of `CAMERA_FAILURE_REASONS`). The cart falls back to barcode-only. */
  CAMERA_UNAVAILABLE: 503,
  // Product recognition on the fleet (issue 11): enrolment photos, gallery builds, contributions.
  /** An uploaded photo that is not a JPEG or PNG the fleet can decode, or is too small or too large in pixels. */
  VISION_IMAGE_INVALID: 422,
  /** A product has its most enrolment photos already: delete one first. */
  VISION_PHOTO_LIMIT: 409,
  VISION_PHOTO_NOT_FOUND: 404,
  /** No embedding model to embed photos or build a gallery with (no committed model, no model release). */
  VISION_MODEL_UNAVAILABLE: 503,
  /** A cart sent a photo where its store has not opted in to contributions. */
  VISION_CONTRIBUTIONS_OFF: 403,
  /** Contributions waiting for their recognition record are at their bound: the oldest is not dropped for a new one. */
  VISION_CONTRIBUTIONS_FULL: 429,
  /** No gallery is installed on the cart (or its host is stopping): recognition waits, the basket works by barcode. */
  GALLERY_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The one error type of the project: a code from {@link ErrorCodes}, a readable message, optional details. */
export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    this.status = ErrorCodes[code];
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function fleetError(code: ErrorCode, message: string, details?: unknown): FleetError {
  return new FleetError(code, message, details);
}

export function isFleetError(err: unknown, code?: ErrorCode): err is FleetError {
  return err instanceof FleetError && (code === undefined || err.code === code);
}
