import type { BroadcastManifest } from '../../../protocol/broadcast/manifest.ts';

/**
 * What compiles a speaker's schedule into its manifest: the schedule part (fleet/broadcast/schedules) implements it,
 * tests pass a fake. `compileForThing` should align `from`/`to` to the store's days so that compiling twice in a day
 * with nothing changed gives the same content (and so no new version).
 */
export interface ManifestSource {
  /** The speakers of a store that get manifests. */
  speakersOf(storeId: string): string[];
  compileForThing(thingName: string, from: number): Omit<BroadcastManifest, 'version'>;
}

/** Where the content library keeps an asset's file (device format), by sha256; undefined when it has none. */
export interface ContentFiles {
  pathOf(sha256: string): string | undefined;
}

/** Until the schedule part is bound (fleet-server.ts): no speaker has anything to compile. */
export function unboundManifestSource(): ManifestSource {
  return {
    speakersOf: () => [],
    compileForThing: (thingName) => {
      throw new Error(`no manifest source is bound: cannot compile for ${thingName}`);
    },
  };
}

/** Until the content library is bound (fleet-server.ts): no asset has a file. */
export function unboundContentFiles(): ContentFiles {
  return { pathOf: () => undefined };
}
