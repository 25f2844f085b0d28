// Chroma upsampling as libjpeg-turbo does it by default (PIL's decoder). jpeg-js only replicates
// subsampled samples, which differs from PIL by up to ~40 levels at colour edges; the "fancy" triangle
// filter below brings 4:2:0 and 4:2:2 files to IDCT-rounding distance (see test/io-decode.test.ts).

/**
 * Recovers one component at its coded resolution from jpeg-js's output, where it was replicated by
 * x -> floor(x / rh), y -> floor(y / rv). Sampling the last pixel of each group avoids float ties.
 */
export function componentPlane(
  interleaved: Uint8Array,
  width: number,
  height: number,
  channels: number,
  c: number,
  rh: number,
  rv: number,
): { plane: Uint8Array; cw: number; ch: number } {
  const cw = Math.ceil(width / rh);
  const ch = Math.ceil(height / rv);
  const plane = new Uint8Array(cw * ch);
  for (let j = 0; j < ch; j++) {
    const y = Math.min((j + 1) * rv - 1, height - 1);
    for (let i = 0; i < cw; i++) {
      const x = Math.min((i + 1) * rh - 1, width - 1);
      plane[j * cw + i] = interleaved[(y * width + x) * channels + c]!;
    }
  }
  return { plane, cw, ch };
}

/** Horizontal 2x triangle filter (libjpeg h2v1 "fancy"): 3/4 nearer + 1/4 further sample, edges replicated. */
function fancyH2V1(p: Uint8Array, cw: number, ch: number, width: number): Uint8Array {
  const out = new Uint8Array(width * ch);
  for (let y = 0; y < ch; y++) {
    const row = y * cw;
    for (let x = 0; x < width; x++) {
      const i = x >> 1;
      const near = 3 * p[row + i]!;
      // Even outputs lean left and round with +1, odd ones lean right and round with +2.
      out[y * width + x] = x & 1 ? (near + p[row + Math.min(i + 1, cw - 1)]! + 2) >> 2 : (near + p[row + Math.max(i - 1, 0)]! + 1) >> 2;
    }
  }
  return out;
}

/**
 * 2x2 triangle filter (libjpeg h2v2 "fancy"): each column first mixes 3/4 of the nearer row with 1/4 of
 * the row above (even output rows) or below (odd ones), then the same horizontally, with biases 8 and 7.
 */
function fancyH2V2(p: Uint8Array, cw: number, ch: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const colsum = new Int32Array(cw);
  for (let y = 0; y < height; y++) {
    const j = y >> 1;
    const near = j * cw;
    const far = (y & 1 ? Math.min(j + 1, ch - 1) : Math.max(j - 1, 0)) * cw;
    for (let i = 0; i < cw; i++) colsum[i] = 3 * p[near + i]! + p[far + i]!;
    for (let x = 0; x < width; x++) {
      const i = x >> 1;
      const c3 = 3 * colsum[i]!;
      out[y * width + x] = x & 1 ? (c3 + colsum[Math.min(i + 1, cw - 1)]! + 7) >> 4 : (c3 + colsum[Math.max(i - 1, 0)]! + 8) >> 4;
    }
  }
  return out;
}

function replicate(p: Uint8Array, cw: number, rh: number, rv: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / rv) * cw;
    for (let x = 0; x < width; x++) out[y * width + x] = p[row + Math.floor(x / rh)]!;
  }
  return out;
}

/**
 * Brings a component with integer subsampling ratios rh x rv to width x height the way libjpeg-turbo 2.x
 * does with its default settings: fancy filters for 2x1 and 2x2 when the component is wider than 2
 * samples, replication otherwise. (libjpeg-turbo also smooths the 1x2 case; that one is replicated here.)
 */
export function upsampleLikeLibjpeg(plane: Uint8Array, cw: number, ch: number, rh: number, rv: number, width: number, height: number): Uint8Array {
  if (rh === 1 && rv === 1) return plane;
  if (rh === 2 && rv === 1 && cw > 2) return fancyH2V1(plane, cw, ch, width);
  if (rh === 2 && rv === 2 && cw > 2) return fancyH2V2(plane, cw, ch, width, height);
  return replicate(plane, cw, rh, rv, width, height);
}
