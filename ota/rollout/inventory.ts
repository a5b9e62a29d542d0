import type { DeviceKind } from '../../protocol/api/devices.ts';
import type { OtaComponent } from '../../protocol/ota/release.ts';

/** What a component slot holds, as the device reports it in its named shadow `ota`. */
export interface InstalledRelease {
  name: string;
  version: string;
  sha256: string;
}

/**
 * A device a rollout may target: the registry's facts (kind, hardware model, store, tags) with its store's region
 * and zone, and what each of its components runs now (the active slot of the named shadow `ota`). The fleet builds
 * the list; the rules here only read it.
 */
export interface InventoryDevice {
  thingName: string;
  kind: DeviceKind;
  hardwareModel: string;
  storeId: string | null;
  region: string | null;
  tags: string[];
  timeZone: string | null;
  installed: Partial<Record<OtaComponent, InstalledRelease>>;
}
