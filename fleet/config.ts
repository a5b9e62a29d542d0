import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadConfig } from '../platform/config-loader.ts';
import { DEFAULT_CONTENT_LIMITS, DEFAULT_LOUDNESS_TARGET } from '../protocol/broadcast/audio-format.ts';
import { MAX_ARTIFACT_BYTES } from '../protocol/ota/release.ts';

/** The embedder committed to this repository (issue 11 item 1). */
const DEFAULT_EMBEDDER_DIR = fileURLToPath(new URL('../models/product-embedder', import.meta.url));

const port = z.number().int().min(0).max(65535);

/** A token bucket: `burst` at once, then `perMinute` more every minute. */
const rateLimit = (defaults: { burst: number; perMinute: number }) =>
  z
    .strictObject({
      burst: z.number().int().min(1).default(defaults.burst),
      perMinute: z.number().positive().default(defaults.perMinute),
    })
    .prefault({});

/** The fleet server's configuration. Defaults run a complete fleet on one machine with nothing configured. */
export const FleetConfigSchema = z
  .strictObject({
    dataDir: z.string().min(1).default('./data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Used in policy resource ARNs (`arn:aws:iot:{region}:{accountId}:...`), so policies written for AWS apply as is. */
    aws: z
      .strictObject({
        region: z.string().min(1).default('local-1'),
        accountId: z
          .string()
          .regex(/^\d{12}$/)
          .default('000000000000'),
      })
      .prefault({}),
    mqtt: z
      .strictObject({
        host: z.string().default('0.0.0.0'),
        tlsPort: port.default(8883),
        /** Development only: a plain MQTT listener, off unless a port is set; bound to loopback by default. */
        plainPort: port.nullable().default(null),
        plainHost: z.string().default('127.0.0.1'),
        /** The plain listener authenticates nobody: binding it beyond loopback must be asked for explicitly. */
        plainAllowRemote: z.boolean().default(false),
        /** AWS IoT Core's limit on one PUBLISH payload. */
        maxPayloadBytes: z
          .number()
          .int()
          .min(1024)
          .max(256 * 1024 * 1024)
          .default(128 * 1024),
      })
      .prefault({}),
    pki: z
      .strictObject({
        /** Host names and IP addresses the server certificate is valid for. */
        hostNames: z.array(z.string().min(1)).min(1).default(['localhost', '127.0.0.1', '::1']),
        caCommonName: z.string().min(1).default('Cartfleet Device CA'),
        caValidityDays: z.number().int().min(30).default(3650),
        serverValidityDays: z.number().int().min(7).default(825),
        deviceValidityDays: z.number().int().min(1).default(3650),
      })
      .prefault({}),
    http: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: port.default(8080),
        /** A browser session ends after this many minutes without a request, and after sessionMaxHours in any case. */
        sessionIdleMinutes: z
          .number()
          .int()
          .min(1)
          .default(12 * 60),
        sessionMaxHours: z
          .number()
          .int()
          .min(1)
          .default(7 * 24),
        /** Single-use sign-in links (printed by the demo) work for this long. */
        loginTicketMinutes: z.number().int().min(1).max(60).default(10),
        /** Mark cookies `Secure`: set when the console is served over HTTPS (behind a TLS-terminating proxy). */
        secureCookies: z.boolean().default(false),
        /** The built web console; defaults to web/dist of this checkout. */
        webRoot: z.string().min(1).optional(),
      })
      .prefault({}),
    presence: z
      .strictObject({
        /** A device that reconnects within this window is never reported offline. */
        offlineGraceMs: z.number().int().min(0).default(5000),
      })
      .prefault({}),
    telemetry: z
      .strictObject({
        /** Most messages per transaction (a backlog is written in several, yielding in between). */
        batchSize: z.number().int().min(1).max(50_000).default(1000),
        flushIntervalMs: z.number().int().min(5).max(60_000).default(100),
        retentionDays: z.number().min(0.001).default(30),
        retentionSweepMs: z.number().int().min(1000).default(3_600_000),
        /**
         * Messages accepted and not yet stored (while the database is behind); beyond it new messages are withheld:
         * not acknowledged, so devices send them again. Nothing accepted is dropped.
         */
        maxPending: z.number().int().min(1).default(200_000),
        /**
         * A message's `ts` may lie at most this far ahead of the fleet's receive time, and at most `maxTsAgeDays`
         * behind it; others are refused with TELEMETRY_TS_OUT_OF_RANGE (AWS IoT SiteWise's window: +10 min, -7 days).
         */
        maxTsAheadMs: z.number().int().min(0).max(3_600_000).default(600_000),
        maxTsAgeDays: z.number().min(0.001).default(7),
      })
      .prefault({}),
    /** The fleet's SQLite connection while another process (a backup, an operator's sqlite3 shell) holds a lock. */
    storage: z
      .strictObject({
        /** SQLite's busy_timeout: a blocking wait inside the event loop, so kept short; writes retry on a timer. */
        busyTimeoutMs: z.number().int().min(0).max(5000).default(0),
        /** Retries of a write that found the database locked: from this, doubling, up to retryMaxMs. */
        retryMinMs: z.number().int().min(1).default(5),
        retryMaxMs: z.number().int().min(1).default(250),
        /** A write someone waits for (a shadow update) answers STORAGE_BUSY when not made within this. */
        writeDeadlineMs: z.number().int().min(1).default(10_000),
      })
      .prefault({}),
    shadow: z
      .strictObject({
        maxStateBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024)
          .default(8 * 1024),
      })
      .prefault({}),
    pricing: z
      .strictObject({
        /** Catalog and loyalty changes within this long of each other make one pricing snapshot rebuild. */
        snapshotDebounceMs: z.number().int().min(0).max(600_000).default(2_000),
        /** Snapshot versions per store whose bytes are kept and served (older ones keep their validity interval). */
        keepSnapshotVersions: z.number().int().min(1).max(100).default(5),
      })
      .prefault({}),
    commands: z
      .strictObject({
        /** A sent command without an answer after this becomes `timed-out`; the device must not run it later. */
        timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
      })
      .prefault({}),
    /** Checkout (issue 8): orders, payment and the attendant queue. */
    orders: z
      .strictObject({
        /** An order awaiting payment is cancelled (its points and coupons released) after this. */
        paymentTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(86_400_000)
          .default(15 * 60_000),
        /** How often overdue orders are looked for. */
        expirySweepMs: z.number().int().min(100).default(5000),
        /** A member logged in on a cart (member-login) may redeem points in that cart's orders for this long. */
        memberLoginValidMs: z
          .number()
          .int()
          .min(60_000)
          .default(4 * 3_600_000),
      })
      .prefault({}),
    /** The member app (`/member`): enrolment links staff make and the members' sessions on their phones. */
    memberApp: z
      .strictObject({
        /** A member app enrolment link (single use) works this many hours after staff made it. */
        enrolmentLinkHours: z.number().min(0.1).max(168).default(24),
        /** A member stays signed in on their phone this many days (then signs in with number and PIN again). */
        sessionDays: z.number().min(0.01).max(365).default(30),
      })
      .prefault({}),
    payments: z
      .strictObject({
        /**
         * The fleet's address as a shopper's phone reaches it, for pay and receipt links (`https://pay.example.com`);
         * unset: `http://{http.host}:{http.port}`.
         */
        publicUrl: z.url().optional(),
        /** Decision 10: a notification more than this far from the fleet's clock is refused. */
        timestampWindowMs: z.number().int().min(1000).max(3_600_000).default(300_000),
        /** Nonces of notifications are remembered this long (longer than the window: a replay inside it is seen). */
        nonceRetentionMs: z.number().int().min(1000).default(600_000),
      })
      .prefault({}),
    /** Resolved alerts and finished commands are kept this long (the audit log is kept for good). */
    retention: z
      .strictObject({
        alertsDays: z.number().min(1).default(180),
        commandsDays: z.number().min(1).default(90),
        sweepMs: z.number().int().min(1000).default(3_600_000),
      })
      .prefault({}),
    provisioning: z
      .strictObject({
        /** AWS: a certificate ownership token expires after one hour; RegisterThing must come before. */
        tokenLifetimeMs: z.number().int().min(1000).default(3_600_000),
        /**
         * CreateKeysAndCertificate / CreateCertificateFromCsr beyond these are answered `Throttling` (429). A device
         * needs one; the per-connection burst leaves room for retries after a timeout, the per-certificate one for a
         * batch of devices unboxed at once.
         */
        certificateRequests: z
          .strictObject({
            perConnection: rateLimit({ burst: 5, perMinute: 1 }),
            perClaimCertificate: rateLimit({ burst: 100, perMinute: 30 }),
          })
          .prefault({}),
      })
      .prefault({}),
    /** The catalog import (docs/operations.md, "Catalog import"). */
    catalog: z
      .strictObject({
        /** The largest import body, CSV or JSON; larger ones answer 413 PAYLOAD_TOO_LARGE unread. */
        importMaxBytes: z
          .number()
          .int()
          .min(1024)
          .max(512 * 1024 * 1024)
          .default(20 * 1024 * 1024),
        /** Most rows (categories + products) in one import. */
        importMaxRows: z.number().int().min(1).max(1_000_000).default(100_000),
      })
      .prefault({}),
    /**
     * The HTTPS listener for devices (mTLS with their own certificates, on `mqtt.host`): broadcast manifests and
     * content (docs/protocol.md, "Device HTTPS endpoints").
     */
    deviceHttps: z.strictObject({ port: port.default(8443) }).prefault({}),
    /** Speakers' broadcast manifests (issue 9 item 4). */
    broadcastDelivery: z
      .strictObject({
        /** Schedule changes within this long of each other make one compilation per store. */
        debounceMs: z.number().int().min(0).max(600_000).default(2_000),
        /** Manifest versions kept and served per speaker (a speaker may still be fetching an older one). */
        keepManifestVersions: z.number().int().min(1).max(100).default(5),
        /** How often horizons are checked; one that reaches less than 7 days ahead is recompiled. */
        rolloverCheckMs: z
          .number()
          .int()
          .min(1000)
          .default(15 * 60_000),
      })
      .prefault({}),
    /** Store broadcast (issue 9): the content library (docs/operations.md, "Content library"). */
    broadcast: z
      .strictObject({
        /** The ffmpeg binary; null: ffmpeg-static if its binary exists, then @ffmpeg-installer/ffmpeg, then PATH. */
        ffmpegPath: z.string().min(1).nullable().default(null),
        /** The largest upload; a larger one is cut off while streaming with 413 AUDIO_TOO_LARGE. */
        maxUploadBytes: z
          .number()
          .int()
          .min(1024)
          .max(4 * 1024 * 1024 * 1024)
          .default(DEFAULT_CONTENT_LIMITS.maxUploadBytes),
        /** The longest audio; longer is refused with AUDIO_TOO_LONG (decoding stops at the limit). */
        maxDurationMs: z.number().int().min(1000).max(86_400_000).default(DEFAULT_CONTENT_LIMITS.maxDurationMs),
        /** What every stored asset is normalised to, and must measure within. */
        loudness: z
          .strictObject({
            integratedLufs: z.number().min(-40).max(-5).default(DEFAULT_LOUDNESS_TARGET.integratedLufs),
            truePeakDbtp: z.number().min(-12).max(0).default(DEFAULT_LOUDNESS_TARGET.truePeakDbtp),
            toleranceLu: z.number().min(0.5).max(5).default(DEFAULT_LOUDNESS_TARGET.toleranceLu),
          })
          .prefault({}),
      })
      .prefault({}),
    /** The announcer (issue 9 item 2): text templates turned into speech offline. */
    announcer: z
      .strictObject({
        /** Worker threads running eSpeak-NG; each holds its own WebAssembly instance (about 30 MB). */
        speechThreads: z.number().int().min(1).max(8).default(1),
      })
      .prefault({}),
    /** The OTA rollout engine (issue 10, fleet/ota/rollouts/). */
    rollouts: z
      .strictObject({
        /** How often running rollouts are looked at for what only time changes (rate slots, phase times, windows). */
        tickMs: z.number().int().min(100).max(60_000).default(5_000),
        /** `rollout` live events at most this often per rollout; device events are coalesced to it. */
        liveThrottleMs: z.number().int().min(100).max(60_000).default(1_000),
        /** NervesHub's penalty box: this many failed executions within `windowHours` leave a device out. */
        penaltyBox: z
          .strictObject({
            failures: z.number().int().min(1).max(100).default(3),
            windowHours: z
              .number()
              .min(1)
              .max(24 * 90)
              .default(24 * 7),
          })
          .prefault({}),
      })
      .prefault({}),
    /** OTA releases (issue 10; docs/operations.md, "Releases and signing keys"). */
    ota: z
      .strictObject({
        /**
         * The fleet's Ed25519 signing key, a PKCS#8 PEM file (`fleetctl releases keygen`): publishes without a
         * signature are signed with it. Read at start, kept in memory only: never stored in SQLite, never logged.
         * null: every publish must carry signatures (an offline signing step, `fleetctl releases sign`).
         */
        signingKeyFile: z.string().min(1).nullable().default(null),
        /** Verify keys the fleet trusts: SPKI PEM files' paths, or the PEMs themselves. The signing key's is added. */
        trustedKeys: z.array(z.string().min(1)).default([]),
        /** The largest artifact accepted; larger uploads are cut off while streaming with 413 PAYLOAD_TOO_LARGE. */
        maxArtifactBytes: z.number().int().min(1024).max(MAX_ARTIFACT_BYTES).default(MAX_ARTIFACT_BYTES),
        deltas: z
          .strictObject({
            /** Deltas are made from this many earlier versions of a release's name (the newest); 0: none. */
            bases: z.number().int().min(0).max(8).default(3),
            /** Deltas made at once (each runs bsdiff in libuv's thread pool). */
            concurrency: z.number().int().min(1).max(4).default(1),
            /** Artifacts larger than this get no deltas: bsdiff needs about 17 bytes of memory per base byte. */
            maxArtifactBytes: z
              .number()
              .int()
              .min(1024)
              .max(MAX_ARTIFACT_BYTES)
              .default(64 * 1024 * 1024),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Product recognition (issue 11): store galleries, contributed photos, recognition records (fleet/vision/). */
    vision: z
      .strictObject({
        /**
         * The committed embedder (`manifest.json` and its ONNX file) enrolment photos are embedded with until a newer
         * model release of `modelName` is published; null: only model releases.
         */
        modelDir: z.string().min(1).nullable().default(DEFAULT_EMBEDDER_DIR),
        modelName: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
          .default('product-embedder'),
        /** The automatic gallery build runs this long after a store's last enrolment change. */
        buildDebounceMs: z.number().int().min(0).max(86_400_000).default(30_000),
        /** Contributed photos a product keeps (the newest). */
        maxContributionsPerProduct: z.number().int().min(0).max(100).default(10),
        /** Contributions a store keeps waiting for their recognition records. */
        maxPendingContributions: z.number().int().min(0).max(10_000).default(200),
        /** Recognition records are kept this long. */
        recordRetentionDays: z.number().int().min(1).max(3650).default(90),
      })
      .prefault({}),
    /** How often the fleet looks for identity changes made by other processes (fleetctl). */
    identityWatchMs: z.number().int().min(100).default(2000),
    /** Seed the demo chain (two stores with zones) on first start. */
    seedDemoData: z.boolean().default(false),
  })
  .refine(
    (c) =>
      c.mqtt.plainPort === null ||
      c.mqtt.plainAllowRemote ||
      ['127.0.0.1', '::1', 'localhost'].includes(c.mqtt.plainHost),
    {
      message: 'the plain listener is bound beyond loopback; set mqtt.plainAllowRemote to true if that is really meant',
      path: ['mqtt', 'plainHost'],
    },
  );

export type FleetConfig = z.infer<typeof FleetConfigSchema>;
export type FleetConfigInput = z.input<typeof FleetConfigSchema>;

/** Reads `--config <file>` / `FLEET_CONFIG`, then `FLEET_*` environment overrides. */
export function loadFleetConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {}): FleetConfig {
  const env = options.env ?? process.env;
  return loadConfig(FleetConfigSchema, { file: options.file ?? env.FLEET_CONFIG, envPrefix: 'FLEET', env });
}
