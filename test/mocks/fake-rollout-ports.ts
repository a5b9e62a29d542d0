import type { RolloutInventory, RolloutRelease, RolloutReleases } from '../../fleet/ota/rollouts/ports.ts';
import { buildJobDocument } from '../../ota/release/job-document.ts';
import type { InventoryDevice } from '../../ota/rollout/inventory.ts';
import type { OtaJobDocument } from '../../protocol/ota/job-document.ts';
import type { ReleaseManifest, SignedRelease } from '../../protocol/ota/release.ts';
import { signedRelease, testManifest } from '../helpers/ota-release.ts';

/** A cart of the inventory: in `storeId`, running cart-runtime `version` (null: nothing reported). */
export function inventoryDevice(
  thingName: string,
  storeId: string | null,
  version: string | null = '1.0.0',
  overrides: Partial<InventoryDevice> = {},
): InventoryDevice {
  return {
    thingName,
    kind: 'cart',
    hardwareModel: 'SC-200',
    storeId,
    region: storeId === null ? null : 'east',
    tags: [],
    timeZone: 'Asia/Shanghai',
    installed: version === null ? {} : { software: { name: 'cart-runtime', version, sha256: 'a'.repeat(64) } },
    ...overrides,
  };
}

/** `count` carts per store, named `cart-{store}-{nnn}`. */
export function inventoryOf(stores: Record<string, number>, version: string | null = '1.0.0'): InventoryDevice[] {
  return Object.entries(stores).flatMap(([storeId, n]) =>
    Array.from({ length: n }, (_, i) =>
      inventoryDevice(`cart-${storeId}-${String(i + 1).padStart(3, '0')}`, storeId, version),
    ),
  );
}

/** The registry and shadows as a rollout sees them: a list the test edits. */
export class FakeInventory implements RolloutInventory {
  constructor(public devices: InventoryDevice[] = []) {}

  list(): InventoryDevice[] {
    return this.devices;
  }
}

/**
 * The release store as a rollout sees it: releases signed with a fresh key, job documents made by the one builder
 * (ota/release/job-document.ts). `signatureOk: false` stands for a release whose signature the fleet no longer trusts.
 */
export class FakeReleases implements RolloutReleases {
  readonly releases = new Map<string, RolloutRelease & { signed: SignedRelease }>();
  /** Documents made, by rollout id. */
  readonly documents = new Map<string, OtaJobDocument>();

  add(id: string, overrides: Partial<ReleaseManifest> = {}, signatureOk = true): ReleaseManifest {
    const manifest = testManifest(overrides);
    this.releases.set(id, { id, manifest, signatureOk, signed: signedRelease(manifest) });
    return manifest;
  }

  get(releaseId: string): RolloutRelease | undefined {
    const r = this.releases.get(releaseId);
    return r && { id: r.id, manifest: r.manifest, signatureOk: r.signatureOk };
  }

  jobDocument(
    releaseId: string,
    rolloutId: string,
    options: { allowDowngrade: boolean; healthCheckTimeoutSeconds: number; maxTrialBoots: number },
  ): OtaJobDocument {
    const r = this.releases.get(releaseId);
    if (!r) throw new Error(`no release ${releaseId}`);
    const document = buildJobDocument(r.signed, [], { rolloutId, ...options });
    this.documents.set(rolloutId, document);
    return document;
  }
}
