import type {
  BroadcastManifest,
  ManifestAsset,
  MusicWindow,
  ScheduledItem,
} from '../../protocol/broadcast/manifest.ts';

/** A fake sha256 for an asset name: 64 hex digits, distinct per name. */
export function sha(name: string): string {
  let hex = '';
  for (const ch of name) hex += ch.charCodeAt(0).toString(16).padStart(2, '0');
  return hex.padEnd(64, '0').slice(0, 64);
}

export function asset(sha256: string, durationMs: number, kind: ManifestAsset['kind'] = 'music'): ManifestAsset {
  return { sha256, bytes: Math.ceil(durationMs * 8) || 1, durationMs, title: `asset ${sha256.slice(0, 8)}`, kind };
}

export function musicWindow(id: string, from: number, to: number, playlist: string[], seed: number | null = null) {
  return {
    id,
    from,
    to,
    playlist,
    shuffleSeed: seed,
    reason: { layer: 'ambient', source: 'prog-1' },
  } satisfies MusicWindow;
}

export function item(id: string, at: number, sha256: string, durationMs: number, extra: Partial<ScheduledItem> = {}) {
  return {
    id,
    at,
    sha256,
    durationMs,
    entry: 'overlay',
    maxDelayMs: 0,
    campaignId: 'camp-1',
    reason: { layer: 'hq_campaign', source: 'camp-1' },
    ...extra,
  } satisfies ScheduledItem;
}

/** A manifest for one speaker with nothing in it but what `parts` adds; the horizon is a week from `from`. */
export function manifest(from: number, parts: Partial<BroadcastManifest> = {}): BroadcastManifest {
  return {
    version: 1,
    thingName: 'spk-test-1',
    storeId: 'hf-shanghai-xuhui',
    timeZone: 'Asia/Shanghai',
    compiledAt: from,
    from,
    to: from + 7 * 86_400_000,
    assets: [],
    music: [],
    items: [],
    volume: [{ from, to: from + 7 * 86_400_000, volume: 100 }],
    promo: null,
    minGapMs: 0,
    ...parts,
  };
}
