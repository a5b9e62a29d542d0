import type { InstalledRelease, InventoryDevice } from '../../../ota/rollout/inventory.ts';
import { OTA_COMPONENTS, type OtaComponent } from '../../../protocol/ota/release.ts';
import type { Store, Thing } from '../../registry/registry-types.ts';
import type { OtaShadowReader, RolloutInventory } from './ports.ts';

/**
 * The devices a rollout can target, from the registry (kind, hardware model, store, tags; active devices only: one
 * pending a technician's approval may not take jobs) with its store's region and zone, and what each component runs
 * now: the active slot of the device's named shadow `ota`, as its agent reports it.
 */
export class RegistryInventory implements RolloutInventory {
  constructor(
    private readonly things: () => Thing[],
    private readonly stores: () => Store[],
    private readonly otaShadow: OtaShadowReader,
  ) {}

  list(): InventoryDevice[] {
    const stores = new Map(this.stores().map((s) => [s.id, s]));
    return this.things()
      .filter((t) => t.provisioning === 'active')
      .map((t) => {
        const store = t.storeId === null ? undefined : stores.get(t.storeId);
        return {
          thingName: t.thingName,
          kind: t.kind,
          hardwareModel: t.hardwareModel,
          storeId: t.storeId,
          region: store?.region ?? null,
          tags: t.tags,
          timeZone: store?.timeZone ?? null,
          installed: installedOf(this.otaShadow(t.thingName)),
        };
      });
  }
}

/** The release in each component's active slot; a component reported in any other shape is taken as unknown. */
export function installedOf(reported: unknown): InventoryDevice['installed'] {
  const installed: Partial<Record<OtaComponent, InstalledRelease>> = {};
  const components = (reported as { components?: unknown } | null | undefined)?.components;
  if (typeof components !== 'object' || components === null) return installed;
  for (const component of OTA_COMPONENTS) {
    const slots = (components as Record<string, unknown>)[component] as Record<string, unknown> | undefined;
    const active = slots?.active;
    if (active !== 'a' && active !== 'b') continue;
    const slot = slots?.[active] as Record<string, unknown> | null | undefined;
    if (typeof slot?.name === 'string' && typeof slot.version === 'string' && typeof slot.sha256 === 'string') {
      installed[component] = { name: slot.name, version: slot.version, sha256: slot.sha256 };
    }
  }
  return installed;
}
