/**
 * The port the announcer stores its audio through: the content library (`announcerIngest(content)`,
 * fleet/broadcast/content/announcer-ingest.ts, adapts `ContentLibrary.ingestFile`). It transcodes the file to the device format, normalises its loudness (EBU R128, two
 * passes), stores it content-addressed and answers what it stored; the announcer then records what the asset says.
 */
export interface AssetIngestMeta {
  title: string;
  kind: 'speech';
  origin: 'announcer';
  storeId: string | null;
  createdBy: string | null;
}

export interface IngestedAsset {
  sha256: string;
  durationMs: number;
  integratedLufs: number;
  title: string;
}

export interface AssetIngest {
  ingestFile(path: string, meta: AssetIngestMeta): Promise<IngestedAsset>;
}
