import { statfs } from 'node:fs/promises';
import type { OtaReported } from '../../protocol/ota/index.ts';

/**
 * The agent's ports to what it does not own: the download transport (the fleet's device HTTPS endpoint with the
 * device's certificate, devices/core/device-https-client.ts), delta application (ota/delta/), the disk's free space,
 * the runtime's health, where it reports, and how software restarts. Each has a real implementation wired in
 * devices/core/ota/ and a fake in test/mocks/.
 */

/** What one GET of a download brought (devices/core's DeviceHttpsClient answers exactly this). */
export interface PartDownload {
  /** 206: appended from `offset`; 200: the whole file, written from 0. */
  status: 200 | 206;
  offset: number;
  received: number;
}

export interface OtaDownloadTransport {
  /**
   * GETs `path` into `partFile` from `offset` with `Range` and `If-Range: etag`; `onBytes` sees every chunk as it is
   * written (the agent hashes while streaming). Rejects on a cut (what arrived stays in the file) and with the
   * fleet's FleetError on a refusal (it carries `details.status`).
   */
  downloadPart(
    path: string,
    partFile: string,
    offset: number,
    etag: string,
    onBytes?: (n: number, chunk: Buffer) => void,
  ): Promise<PartDownload>;
  /** Aborts every request in flight (stop, cancel). */
  abortAll(): void;
}

/**
 * Applies a binary delta (bsdiff 4, `ota/delta/`'s applyDelta) to `baseFile`, writing `outFile` only if it is the
 * `expected` artifact (the delta's announced size is checked before anything is allocated).
 */
export interface DeltaApplier {
  apply(
    baseFile: string,
    deltaFile: string,
    outFile: string,
    expected: { sha256: string; size: number },
  ): Promise<void>;
}

/** Free bytes on the file system of `dir`, for the unprivileged user (statfs `bavail`). */
export interface DiskSpace {
  freeBytes(dir: string): Promise<number>;
}

export const statfsDiskSpace: DiskSpace = {
  async freeBytes(dir) {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  },
};

/** One part of the health check, passed or not, with why. */
export type ProbeResult = { ok: true } | { ok: false; detail: string };

/**
 * The running runtime's health as the agent's health check sees it after a switch (devices/core implements it from
 * the runtime): contact with the fleet, the classic shadow in sync, and the hardware's own self-test.
 */
export interface HealthProbe {
  /** Connected to the fleet's broker now. */
  connected(): boolean;
  /** The shadow got its first document from the fleet on this boot and reported what it was asked. */
  shadowInSync(): boolean;
  /** The board's and the kind's diagnostics checks (as the `diagnostics` command runs them). */
  hardwareSelfTest(): Promise<ProbeResult>;
  /** Runs when connected() or shadowInSync() may have changed; returns the unsubscriber. */
  onChange(listener: () => void): () => void;
}

/** How the running software leaves its process (or in-process host) to boot what boot-state names. */
export interface SoftwareHost {
  /** The slot this runtime was booted from (`a` for the factory tree). */
  readonly bootedSlot: 'a' | 'b';
  /** Restarts into whatever boot-state now names; resolves when the restart is under way. */
  restart(reason: string): Promise<void>;
}

/** The runtime's recent log lines (devices/core's LogRing), for a failure's `logs`. */
export interface RecentLogs {
  tail(count: number): string[];
}

/** Where the agent says what it has: the named shadow `ota` and the classic shadow's `softwareVersion`. */
export interface OtaShadowReporter {
  reportOta(reported: OtaReported): void;
  reportSoftwareVersion(version: string): void;
}
