// The heat map's colours: matplotlib's inferno, sampled at ten stops and interpolated to 256 entries. Its
// lightness rises steadily from 0 (black) to 1 (pale yellow), so the map reads the same in grey and to
// colour-blind eyes, and its 256 entries are all different colours, so a colour names one probability step.

/** inferno at 0, 1/9, ..., 1 */
export const HEAT_STOPS = ['#000004', '#1b0c41', '#4a0c6b', '#781c6d', '#a52c60', '#cf4446', '#ed6925', '#fb9b06', '#f7d13d', '#fcffa4'];

const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** 256 RGB entries: probability p is entry heatIndex(p). */
export const HEAT_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  const spans = HEAT_STOPS.length - 1;
  for (let i = 0; i < 256; i++) {
    const x = (i * spans) / 255;
    const k = Math.min(spans - 1, Math.floor(x));
    const [a, b] = [rgbOf(HEAT_STOPS[k]!), rgbOf(HEAT_STOPS[k + 1]!)];
    for (let c = 0; c < 3; c++) lut[3 * i + c] = Math.round(a[c]! + (b[c]! - a[c]!) * (x - k));
  }
  return lut;
})();

/** The entry for probability p: round(255 p), so p >= 0.5 exactly when the entry is 128 or more. */
const heatIndex = (p: number): number => Math.min(255, Math.max(0, Math.round(p * 255)));

/** RGBA pixels (opaque) of `probability` in the heat map's colours. */
export function drawHeatMap(probability: Float32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(probability.length * 4);
  for (let i = 0; i < probability.length; i++) {
    const e = 3 * heatIndex(probability[i]!);
    out[4 * i] = HEAT_LUT[e]!;
    out[4 * i + 1] = HEAT_LUT[e + 1]!;
    out[4 * i + 2] = HEAT_LUT[e + 2]!;
    out[4 * i + 3] = 255;
  }
  return out;
}
