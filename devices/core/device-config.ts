import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FleetError } from '../../protocol/errors.ts';
import {
  isAllowedThingName,
  SERIAL_NUMBER_PATTERN,
  TEMPLATE_NAME_PATTERN,
  THING_NAME_RULE,
} from '../../protocol/topics.ts';
import { OtaConfigSchema } from './ota/ota-config.ts';

/**
 * Provisioning by claim: a device without a certificate of its own in `certDir` uses the shared claim certificate
 * (`fleetctl provisioning claim`) once, to get its own certificate and thing (see claim-provisioner.ts).
 */
export const ClaimConfigSchema = z.strictObject({
  /** The claim bundle: cert.pem, key.pem, ca.pem. */
  certDir: z.string().min(1),
  templateName: z.string().regex(TEMPLATE_NAME_PATTERN, 'template names are 1-36 characters of [0-9A-Za-z_-]'),
  serialNumber: z.string().regex(SERIAL_NUMBER_PATTERN, 'serial numbers are 1-64 characters of [A-Za-z0-9_-]'),
  storeId: z.string().min(1).optional(),
  /** More template parameters (e.g. `HardwareModel`), as strings. */
  parameters: z.record(z.string(), z.string()).default({}),
  /** `csr`: the key pair is made on the device and never leaves it (CreateCertificateFromCsr); `keys`: the fleet makes it. */
  method: z.enum(['csr', 'keys']).default('csr'),
  timeoutMs: z.number().int().min(1000).default(30_000),
});

export type ClaimConfig = z.infer<typeof ClaimConfigSchema>;

/** What every device runtime is configured with; the cart and speaker schemas extend it. */
export const DeviceConfigSchema = z.strictObject({
  thingName: z.string().refine(isAllowedThingName, THING_NAME_RULE),
  endpoint: z
    .strictObject({
      host: z.string().min(1).default('localhost'),
      port: z.number().int().min(1).max(65535).default(8883),
      /** The fleet's device HTTPS endpoint on the same host (mTLS, same certificate): broadcast content, releases. */
      contentPort: z.number().int().min(1).max(65535).default(8443),
    })
    .prefault({}),
  /** Directory with cert.pem, key.pem and ca.pem, as `fleetctl devices add` writes it. */
  certDir: z.string().min(1),
  /** Where the runtime keeps its outbox and local state. */
  dataDir: z.string().min(1),
  keepAliveSeconds: z.number().int().min(5).max(1200).default(30),
  reconnect: z
    .strictObject({
      minSeconds: z.number().int().min(1).default(1),
      maxSeconds: z.number().int().min(1).default(30),
    })
    .prefault({}),
  telemetryIntervalMs: z.number().int().min(100).default(5000),
  healthIntervalMs: z.number().int().min(100).default(30_000),
  outbox: z
    .strictObject({
      /** Oldest messages are dropped (and counted) beyond this many. */
      maxMessages: z.number().int().min(100).default(100_000),
      batchSize: z.number().int().min(1).max(1000).default(50),
      ackTimeoutMs: z.number().int().min(100).default(10_000),
      /** A message is given up after this many sends that each ended with the connection closing (outbox.ts). */
      maxAttempts: z.number().int().min(1).default(5),
    })
    .prefault({}),
  board: z
    .strictObject({
      /** `virtual` in simulation and tests; `firmata` on a real device (serial port required). */
      io: z.enum(['virtual', 'firmata']).default('virtual'),
      serialPort: z.string().optional(),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * With a claim section, `thingName` is the name the device expects the template to give it; the name the fleet
   * assigns (kept in `{certDir}/thing.json`) is the one used.
   */
  claim: ClaimConfigSchema.optional(),
  /** The OTA update agent (off by default): verify keys, its directory, step timeouts (devices/core/ota/). */
  ota: OtaConfigSchema,
});

export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

export interface DeviceCredentials {
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
}

export function readCredentials(certDir: string): DeviceCredentials {
  try {
    return {
      certificatePem: readFileSync(join(certDir, 'cert.pem'), 'utf8'),
      privateKeyPem: readFileSync(join(certDir, 'key.pem'), 'utf8'),
      caPem: readFileSync(join(certDir, 'ca.pem'), 'utf8'),
    };
  } catch (err) {
    throw new FleetError(
      'CONFIG_INVALID',
      `cannot read the certificate bundle in ${certDir}: ${(err as Error).message}`,
    );
  }
}
