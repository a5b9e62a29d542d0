import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { FleetError } from '../../protocol/errors.ts';
import { type ModelMetadata, ModelMetadataSchema, modelMetadataProblems } from '../../protocol/ota/model.ts';
import { type EmbedderManifest, EmbedderManifestSchema } from '../../protocol/vision/embedder-manifest.ts';

/** The embedder enrolment photos are embedded with, and where its ONNX file is. */
export interface EmbeddingModel {
  name: string;
  version: string;
  embeddingSize: number;
  metadata: ModelMetadata & { preprocessing: NonNullable<ModelMetadata['preprocessing']> };
  file: string;
  /** The model committed to the repository, or a model release published since. */
  source: 'committed' | 'release';
}

/** A published model release as this needs it (the release store's view, `fleet/ota/releases`). */
export interface ModelReleaseSource {
  /** Releases of this name (any component). */
  releasesNamed(name: string): { component: string; version: string; sha256: string; metadata: unknown }[];
  artifactPath(sha256: string): string;
}

const manifestSchema = new SchemaValidator<EmbedderManifest>(EmbedderManifestSchema);
const metadataSchema = new SchemaValidator<ModelMetadata>(ModelMetadataSchema);

/**
 * Which embedder a store's photos are embedded with: the one its carts run. That is the committed model
 * (`models/product-embedder/manifest.json` and its file) until a newer model release of the same name is published,
 * then the newest release (its signed metadata and its artifact file). One chain, one embedder: every store's carts
 * take the model releases the chain publishes. VISION_MODEL_UNAVAILABLE when there is neither, or what there is
 * cannot embed an image (no preprocessing, metadata that does not hold together).
 */
export class EmbeddingModels {
  private committedCache: { model: EmbeddingModel | null; problem: string | null } | undefined;

  constructor(
    private readonly options: { committedDir: string | null; modelName: string },
    private readonly releases: ModelReleaseSource | undefined,
  ) {}

  /** The model to embed with now; VISION_MODEL_UNAVAILABLE with why when there is none. */
  current(): EmbeddingModel {
    const committed = this.committed();
    const released = this.newestRelease();
    if (released && (!committed.model || semver.gt(released.version, committed.model.version))) return released;
    if (committed.model) return committed.model;
    throw new FleetError(
      'VISION_MODEL_UNAVAILABLE',
      `no embedding model: ${committed.problem ?? 'no committed model'}, and no ${this.options.modelName} model release is published`,
    );
  }

  /** Why `current()` would refuse, or null. */
  problem(): string | null {
    try {
      this.current();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private committed(): { model: EmbeddingModel | null; problem: string | null } {
    if (this.committedCache) return this.committedCache;
    this.committedCache = readCommitted(this.options.committedDir);
    return this.committedCache;
  }

  private newestRelease(): EmbeddingModel | null {
    if (!this.releases) return null;
    const candidates = this.releases
      .releasesNamed(this.options.modelName)
      .filter((r) => r.component === 'model' && semver.valid(r.version))
      .sort((a, b) => semver.rcompare(a.version, b.version));
    for (const release of candidates) {
      const metadata = usableMetadata(release.metadata);
      if (!metadata.ok) continue;
      return {
        name: this.options.modelName,
        version: release.version,
        embeddingSize: metadata.value.embeddingSize,
        metadata: metadata.value,
        file: this.releases.artifactPath(release.sha256),
        source: 'release',
      };
    }
    return null;
  }
}

function readCommitted(dir: string | null): { model: EmbeddingModel | null; problem: string | null } {
  if (!dir) return { model: null, problem: 'no committed model directory configured' };
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return { model: null, problem: `${manifestFile} does not exist` };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (err) {
    return { model: null, problem: `${manifestFile} is not JSON: ${(err as Error).message}` };
  }
  const checked = manifestSchema.check(json);
  if (!checked.ok) return { model: null, problem: `${manifestFile}: ${checked.reason}` };
  const metadata = usableMetadata(checked.value.metadata);
  if (!metadata.ok) return { model: null, problem: `${manifestFile}: ${metadata.reason}` };
  const file = join(dir, checked.value.file);
  if (!existsSync(file)) return { model: null, problem: `${file} (the manifest's model file) does not exist` };
  return {
    model: {
      name: checked.value.name,
      version: checked.value.version,
      embeddingSize: metadata.value.embeddingSize,
      metadata: metadata.value,
      file,
      source: 'committed',
    },
    problem: null,
  };
}

function usableMetadata(
  value: unknown,
): { ok: true; value: EmbeddingModel['metadata'] } | { ok: false; reason: string } {
  const checked = metadataSchema.check(value);
  if (!checked.ok) return { ok: false, reason: `metadata.${checked.reason}` };
  const problems = modelMetadataProblems(checked.value);
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  const { preprocessing } = checked.value;
  if (!preprocessing) return { ok: false, reason: 'the model has no image preprocessing: it cannot embed photos' };
  return { ok: true, value: { ...checked.value, preprocessing } };
}
