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
