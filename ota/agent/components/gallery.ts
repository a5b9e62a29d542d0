import { join } from 'node:path';
import type { Logger } from '../../../platform/log.ts';
import { type ErrorCode, FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { ReleaseManifest } from '../../../protocol/ota/release.ts';
import type { ComponentHandler } from '../component-handler.ts';
import { copyVerified, fileDigest, installError, throwIfAborted } from './install-files.ts';

/** The gallery's file in its slot (`CFGAL001`, protocol/vision/gallery.ts). */
export const GALLERY_FILE = 'gallery.cfgal';

/**
 * What a runtime that searches a store gallery gives the OTA agent's gallery handler (the cart's SwappableGallery,
 * devices/cart/vision/). The agent cannot read the file itself: the format is `vision/`'s, which `ota/` does not import.
 */
export interface GalleryHost {
  /**
   * Reads the gallery in `file` and checks it for this device, changing nothing: the format (GALLERY_INVALID with
   * `details.problem`), the model the device runs (GALLERY_MODEL_MISMATCH: another embedding size or model), the
   * store (GALLERY_INVALID, problem `store`), and that a search of a few of its own rows finds each row first.
   */
  check(file: string): Promise<void>;
  /** Searches go to the gallery in `file` from now on, without a restart; rejects and keeps the current one when it
   *  does not check. Called after the self-test, after a rollback with the previous slot, and at boot. */
  swap(file: string): Promise<void>;
}

/**
 * Installs, tests and activates a store's gallery releases (issue 11 item 7) in slots of their own, so a gallery
 * rolls back without touching the software or the model. Install copies the file into the slot (size and sha256)
 * and refuses one the host's check refuses, before any switch: the cart keeps its current gallery
 * (OTA_INSTALL_FAILED, `details.code` GALLERY_INVALID or GALLERY_MODEL_MISMATCH, the message starts with that code).
 * The self-test checks what is in the slot again, against the model running then (OTA_HEALTH_CHECK_FAILED, same
 * details). Activate hands the file to the host, which swaps it in.
 */
export class GalleryComponentHandler implements ComponentHandler {
  readonly component = 'gallery' as const;
  readonly needsRestart = false;

  constructor(
    private readonly host: GalleryHost,
    private readonly log: Logger,
  ) {}

  async install(artifactFile: string, slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    const target = join(slotDir, GALLERY_FILE);
    await copyVerified(artifactFile, target, manifest.artifact, signal);
    throwIfAborted(signal);
    await this.host.check(target).catch((err: unknown) => {
      throw refused(err, 'OTA_INSTALL_FAILED', manifest);
    });
  }

  async selfTest(slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const file = join(slotDir, GALLERY_FILE);
    // The slot may have changed since the install (a disk that lost a write across a power cut): test what is there.
    const digest = await fileDigest(file).catch((err: unknown) => {
      throw installError(err, 'OTA_HEALTH_CHECK_FAILED');
    });
    if (digest.sha256 !== manifest.artifact.sha256)
      throw new FleetError(
        'OTA_HEALTH_CHECK_FAILED',
        `the slot's gallery has sha256 ${digest.sha256}, not the release's ${manifest.artifact.sha256}`,
      );
    await this.host.check(file).catch((err: unknown) => {
      throw refused(err, 'OTA_HEALTH_CHECK_FAILED', manifest);
    });
    throwIfAborted(signal);
    this.log.info({ version: manifest.version }, 'gallery self-test passed');
  }

  async activate(slotDir: string, manifest: ReleaseManifest): Promise<void> {
    await this.host.swap(join(slotDir, GALLERY_FILE)).catch((err: unknown) => {
      throw refused(err, 'OTA_HEALTH_CHECK_FAILED', manifest);
    });
  }
}

/**
 * The agent reports one of its failure reasons (OTA_INSTALL_FAILED...); the gallery's own code travels in the
 * message (what the console shows) and in `details.code` (what a test asserts).
 */
function refused(err: unknown, as: ErrorCode, manifest: ReleaseManifest): FleetError {
  if (isFleetError(err) && err.code.startsWith('OTA_')) return err;
  if (isFleetError(err))
    return new FleetError(as, `${err.code}: ${manifest.name} ${manifest.version}: ${err.message}`, {
      code: err.code,
      details: err.details ?? null,
    });
  return installError(err, as);
}
