/**
 * The port the announcer stores its audio through: the content library's `ContentLibrary.ingestFile` (issue 9 item
 * 1) has this signature. It transcodes the file to the device format, normalises its loudness (EBU R128, two
 * passes), stores it content-addressed and answers what it stored; the announcer then records what the asset says.
 * Until the library is wired, tests and the bench use a stand-in (bench/lib/stand-in-asset-ingest.ts).
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
