import { FleetError } from '../../protocol/errors.ts';
import { GALLERY_NORM_TOLERANCE } from '../../protocol/vision/gallery.ts';
import { l2Norm } from './embedding-rows.ts';

/** A product's row of the gallery, and how well its photos agreed. */
export interface Prototype {
  /** The normalised mean of the photos' embeddings. */
  vector: Float32Array;
  photos: number;
  /** The lowest cosine similarity of a photo to the prototype: low means one photo shows something else. */
  minCosine: number;
}

/**
 * Below this length the mean of unit vectors says no direction: the photos point (nearly) opposite ways, and
 * normalising would blow float32 rounding up into a direction.
 */
const MIN_MEAN_NORM = 1e-3;

/**
 * A product's prototype from its enrolment photos' embeddings (each L2-normalised): their mean, normalised. One row
 * per product keeps a search at one dot product per product (10,000 products → 10,000 dot products), where keeping
 * every photo's row would multiply the work and the cart's memory by the photos per product; the mean of
 * normalised embeddings is the class centre metric learning pulls views of one product towards. Refuses
 * (GALLERY_INVALID, `details.problem: 'embedding'`) no embeddings, one of another length, one that is not finite or
 * not normalised, and embeddings that cancel out.
 */
export function productPrototype(embeddings: readonly Float32Array[], dimension: number): Prototype {
  if (embeddings.length === 0) throw refused('no enrolment embeddings');
  const sum = new Float64Array(dimension);
  for (const [i, embedding] of embeddings.entries()) {
    const problem = embeddingProblem(embedding, dimension);
    if (problem) throw refused(`embedding ${i} ${problem}`);
    for (let d = 0; d < dimension; d++) sum[d] = (sum[d] as number) + (embedding[d] as number);
  }
  let squares = 0;
  for (let d = 0; d < dimension; d++) squares += (sum[d] as number) ** 2;
  const meanNorm = Math.sqrt(squares) / embeddings.length;
  if (meanNorm < MIN_MEAN_NORM)
    throw refused(`the ${embeddings.length} embeddings cancel out (their mean has length ${meanNorm.toPrecision(3)})`);
  const scale = 1 / Math.sqrt(squares);
  const vector = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) vector[d] = (sum[d] as number) * scale;
  let minCosine = 1;
  for (const embedding of embeddings) {
    let dot = 0;
    for (let d = 0; d < dimension; d++) dot += (embedding[d] as number) * (vector[d] as number);
    minCosine = Math.min(minCosine, dot);
  }
  return { vector, photos: embeddings.length, minCosine };
}

/** Why an enrolment embedding cannot go into a prototype, or null. */
export function embeddingProblem(embedding: Float32Array, dimension: number): string | null {
  if (embedding.length !== dimension) return `has ${embedding.length} values, the model makes ${dimension}`;
  const norm = l2Norm(embedding);
  if (Number.isNaN(norm)) return 'has a value that is not a finite number';
  if (Math.abs(norm - 1) > GALLERY_NORM_TOLERANCE) return `is not L2-normalised (norm ${norm.toPrecision(6)})`;
  return null;
}

function refused(message: string): FleetError {
  return new FleetError('GALLERY_INVALID', `no prototype: ${message}`, { problem: 'embedding' });
}
