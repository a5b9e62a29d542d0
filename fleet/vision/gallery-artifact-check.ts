import { readFile } from 'node:fs/promises';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { ReleaseManifest } from '../../protocol/ota/release.ts';
import {
  type GalleryReleaseMetadata,
  GalleryReleaseMetadataSchema,
  galleryReleaseProblems,
} from '../../protocol/vision/gallery.ts';
import { decodeGallery } from '../../vision/gallery/gallery-file.ts';

const metadataSchema = new SchemaValidator<GalleryReleaseMetadata>(GalleryReleaseMetadataSchema);

/**
 * The fleet's check of a gallery release before it is published (whoever publishes it: the gallery builder or an
 * operator's `POST /api/releases`): its metadata is a {@link GalleryReleaseMetadataSchema} (RELEASE_INVALID), its
 * artifact decodes as a gallery (GALLERY_INVALID with the file's problem) and says the store, version and model the
 * release says (GALLERY_INVALID). A cart checks the same again; this keeps a release no cart could install out of the
 * store. Other components pass.
 */
export async function checkGalleryArtifact(manifest: ReleaseManifest, file: string): Promise<void> {
  if (manifest.component !== 'gallery') return;
  const metadata = metadataSchema.check(manifest.metadata);
  if (!metadata.ok) throw new FleetError('RELEASE_INVALID', `a gallery release's metadata: ${metadata.reason}`);
  const decoded = decodeGallery(await readFile(file));
  const problems = galleryReleaseProblems(decoded.header, {
    name: manifest.name,
    version: manifest.version,
    metadata: metadata.value,
  });
  if (problems.length > 0) {
    throw new FleetError('GALLERY_INVALID', `the gallery does not agree with its release: ${problems.join('; ')}`, {
      problem: 'header',
      problems,
    });
  }
}
