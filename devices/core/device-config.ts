import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FleetError } from '../../protocol/errors.ts';
import { THING_NAME_PATTERN } from '../../protocol/topics.ts';

/** What every device runtime is configured with; the cart and speaker schemas extend it. */
export const DeviceConfigSchema = z.strictObject({
  thingName: z.string().regex(THING_NAME_PATTERN, 'thing names are 1-128 characters of [a-zA-Z0-9:_-]'),
  endpoint: z
    .strictObject({
      host: z.string().min(1).default('localhost'),
      port: z.number().int().min(1).max(65535).default(8883),
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
