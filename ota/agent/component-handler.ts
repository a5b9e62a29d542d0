import type { OtaComponent, ReleaseManifest } from '../../protocol/ota/index.ts';

/**
 * How the agent installs, checks and activates one component (Greengrass' per-component lifecycle): software here
 * (software-handler.ts), the model and config handlers in the components part. The agent owns the slots and the
 * boot state; a handler only fills a slot, checks it and puts it to use.
 */
export interface ComponentHandler {
  readonly component: OtaComponent;
  /** Software needs a restart into the new slot; model and config are swapped in the running process. */
  readonly needsRestart: boolean;
  /** Fill `slotDir` (emptied and marked dirty by the agent) from the verified artifact; throws FleetError
   *  OTA_INSTALL_FAILED / OTA_DISK_FULL. */
  install(artifactFile: string, slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void>;
  /** After the switch: passes, or throws FleetError OTA_HEALTH_CHECK_FAILED (with a message) within the time. */
  selfTest(slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void>;
  /** Model/config: make the running runtime use `slotDir` (hot swap); also called at boot for the active slot. */
  activate?(slotDir: string, manifest: ReleaseManifest): Promise<void>;
}

/**
 * Whether the device may start installing now (the components part: a cart's shopper session, a speaker's
 * announcement). While closed, a job stays QUEUED (or waits before its install) until the gate says it changed.
 */
export interface InstallGate {
  isOpen(): { open: true } | { open: false; reason: string };
  onChange(listener: () => void): () => void;
}

/** A gate that is always open (a device kind with nothing to protect, tests). */
export const alwaysOpenGate: InstallGate = {
  isOpen: () => ({ open: true }),
  onChange: () => () => {},
};
