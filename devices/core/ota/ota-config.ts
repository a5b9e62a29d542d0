import { z } from 'zod';

/**
 * The device's OTA agent (docs/operations.md, OTA updates). Off unless `enabled`; enabled, it needs at least one
 * verify key: an SPKI PEM file of an Ed25519 public key the releases are signed with (several while keys rotate).
 */
export const OtaConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** The agent's directory: boot-state, journal, slots, downloads. Default `<dataDir>/ota`. */
    dir: z.string().min(1).optional(),
    /** SPKI PEM files of the trusted release keys. */
    verifyKeys: z.array(z.string().min(1)).max(8).default([]),
    /**
     * The factory software's bundle (the tar the image was made from), if the device has it: its sha256 names slot a
     * and it is a delta's base. Without it slot a is named by a digest of its name and version (no delta from it).
     */
    factoryArtifact: z.string().min(1).optional(),
    /** The platform's node_modules, linked beside the software slots. Default: the first one above the running code. */
    nodeModules: z.string().min(1).optional(),
    /** AWS `stepTimeoutInMinutes` the agent sets per step. */
    stepTimeoutMinutes: z
      .strictObject({
        downloading: z.number().int().min(1).max(10080).default(60),
        installing: z.number().int().min(1).max(10080).default(15),
        /** While the install gate is closed (a shopper's session, an announcement). */
        waiting: z.number().int().min(1).max(10080).default(240),
        /** Added to the job's health-check time for the restart. */
        restart: z.number().int().min(1).max(60).default(5),
      })
      .prefault({}),
    /** A download request silent this long is abandoned and resumed. */
    downloadTimeoutMs: z.number().int().min(1000).default(30_000),
    /** Free space the agent never takes for a download or an install. */
    reserveBytes: z
      .number()
      .int()
      .min(0)
      .default(64 * 1024 * 1024),
    /** A Jobs request unanswered this long is asked again. */
    requestTimeoutMs: z.number().int().min(1000).default(10_000),
  })
  .prefault({})
  .refine((ota) => !ota.enabled || ota.verifyKeys.length > 0, {
    message: 'ota.enabled needs at least one file in ota.verifyKeys',
    path: ['verifyKeys'],
  });

export type OtaConfig = z.infer<typeof OtaConfigSchema>;
