import { GALLERY_NORM_TOLERANCE } from '../../protocol/vision/gallery.ts';

/** The L2 norm of `length` floats of `values` from `offset`, summed in float64. NaN when one of them is not finite. */
export function l2Norm(values: Float32Array, offset = 0, length = values.length - offset): number {
  let sum = 0;
  for (let i = offset; i < offset + length; i++) {
    const v = values[i] as number;
    sum += v * v;
  }
  // A NaN makes the sum NaN; an infinity makes it Infinity: neither is a norm of 1.
  return Number.isFinite(sum) ? Math.sqrt(sum) : Number.NaN;
}

/** Why row `row` of a matrix of `dimension` columns cannot be a gallery row, or null. */
export function rowProblem(matrix: Float32Array, row: number, dimension: number): string | null {
  const norm = l2Norm(matrix, row * dimension, dimension);
  if (Number.isNaN(norm)) return `row ${row} has a value that is not a finite number`;
  if (Math.abs(norm - 1) > GALLERY_NORM_TOLERANCE)
    return `row ${row} is not L2-normalised (norm ${norm.toPrecision(6)}, tolerance ${GALLERY_NORM_TOLERANCE})`;
  return null;
}

/** The first problem among the rows, or null. */
export function matrixProblem(matrix: Float32Array, rows: number, dimension: number): string | null {
  if (matrix.length !== rows * dimension)
    return `the matrix has ${matrix.length} values, ${rows} rows of ${dimension} need ${rows * dimension}`;
  for (let row = 0; row < rows; row++) {
    const problem = rowProblem(matrix, row, dimension);
    if (problem) return problem;
  }
  return null;
}
