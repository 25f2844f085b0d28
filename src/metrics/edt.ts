/** Exact Euclidean distance transform of a binary mask, with the nearest foreground pixel. */
export interface DistanceTransform {
  /** Squared distance to the nearest foreground pixel (0 on the foreground). */
  sqDist: Float64Array;
  /** Row-major index r*width + c of that pixel (a foreground pixel's own index). */
  nearest: Int32Array;
}

/**
 * Felzenszwalb-Huttenlocher two-pass EDT (like MATLAB bwdist(mask) with IDX).
 * Pass 1 finds the nearest foreground row in each column, pass 2 takes the lower envelope of
 * the parabolas (c - q)^2 + f(q) along each row.
 *
 * Tie rule (MATLAB does not document its own): among equidistant nearest foreground pixels,
 * the one with the smallest column, then the smallest row, i.e. the smallest MATLAB
 * column-major linear index. Pass 1 prefers the upper candidate; pass 2 keeps the left
 * parabola at an intersection. Every value compared is an integer or a ratio of small integers,
 * and IEEE division is correctly rounded, so equal ratios compare equal and ties are exact.
 */
export function euclideanDistanceTransform(mask: Uint8Array, width: number, height: number): DistanceTransform {
  if (mask.length !== width * height) {
    throw new Error(`euclideanDistanceTransform: mask has ${mask.length} values, expected ${width}x${height}`);
  }
  if (!mask.some((v) => v !== 0)) {
    throw new Error(`euclideanDistanceTransform: the ${width}x${height} mask has no foreground pixel`);
  }
  const colRow = nearestRowInColumns(mask, width, height);
  const sqDist = new Float64Array(width * height);
  const nearest = new Int32Array(width * height);
  const v = new Int32Array(width); // columns of the envelope's parabolas
  const fv = new Float64Array(width); // their heights f(q)
  const z = new Float64Array(width + 1); // z[k]..z[k+1]: where parabola k is lowest
  for (let r = 0; r < height; r++) {
    const row = r * width;
    let k = -1;
    for (let q = 0; q < width; q++) {
      const nr = colRow[row + q]!;
      if (nr < 0) continue;
      const fq = (r - nr) * (r - nr);
      if (k < 0) {
        k = 0;
        z[0] = -Infinity;
      } else {
        let s = (fq + q * q - (fv[k]! + v[k]! * v[k]!)) / (2 * (q - v[k]!));
        while (s <= z[k]!) {
          k--;
          s = (fq + q * q - (fv[k]! + v[k]! * v[k]!)) / (2 * (q - v[k]!));
        }
        k++;
        z[k] = s;
      }
      v[k] = q;
      fv[k] = fq;
      z[k + 1] = Infinity;
    }
    // k >= 0 here: some column holds foreground, so every row has a candidate.
    k = 0;
    for (let c = 0; c < width; c++) {
      while (z[k + 1]! < c) k++;
      const q = v[k]!;
      sqDist[row + c] = (c - q) * (c - q) + fv[k]!;
      nearest[row + c] = colRow[row + q]! * width + q;
    }
  }
  return { sqDist, nearest };
}

/** For every pixel, the row of the nearest foreground pixel in its column (upper on ties), or -1. */
function nearestRowInColumns(mask: Uint8Array, width: number, height: number): Int32Array {
  const colRow = new Int32Array(width * height);
  for (let c = 0; c < width; c++) {
    let last = -1; // nearest foreground row at or above
    for (let r = 0; r < height; r++) {
      if (mask[r * width + c]) last = r;
      colRow[r * width + c] = last;
    }
    let next = -1; // nearest foreground row at or below
    for (let r = height - 1; r >= 0; r--) {
      if (mask[r * width + c]) next = r;
      const up = colRow[r * width + c]!;
      if (next >= 0 && (up < 0 || next - r < r - up)) colRow[r * width + c] = next;
    }
  }
  return colRow;
}
