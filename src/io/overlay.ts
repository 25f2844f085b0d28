// A picture for people: the image with the predicted polyp region tinted and outlined.
import { checkRgbaImage, type RgbaImage } from './rgba-image.js';

export interface OverlayStyle {
  /** Colour mixed into the region, and how much of it (0..1). */
  tint: readonly [number, number, number];
  tintAlpha: number;
  /** Colour of the 1-pixel contour. */
  contour: readonly [number, number, number];
}

export const DEFAULT_OVERLAY_STYLE: OverlayStyle = { tint: [0, 255, 0], tintAlpha: 0.4, contour: [255, 255, 0] };

/**
 * `map` is a map at the image's size: probabilities in [0, 1] (a Float32Array, e.g. Segmentation.probability)
 * or 8-bit values read as value/255 (a Uint8Array, e.g. a saved mask). A pixel belongs to the region when its
 * value reaches `threshold`. Region pixels are blended towards the tint; region pixels with a 4-neighbour
 * inside the image but outside the region form the contour and take the contour colour; every other pixel
 * keeps its colour. The result is opaque: like the network input, it shows RGB without alpha.
 */
export function drawOverlay(img: RgbaImage, map: Float32Array | Uint8Array, threshold = 0.5, style: OverlayStyle = DEFAULT_OVERLAY_STYLE): RgbaImage {
  checkRgbaImage(img, 'drawOverlay image');
  const { width: w, height: h } = img;
  if (map.length !== w * h) {
    throw new Error(`drawOverlay: map has ${map.length} values, expected ${w}x${h} = ${w * h} (the image size)`);
  }
  if (!(style.tintAlpha >= 0 && style.tintAlpha <= 1)) throw new Error(`drawOverlay: tintAlpha must be in [0, 1], got ${style.tintAlpha}`);
  const scale = map instanceof Uint8Array ? 1 / 255 : 1;
  const inside = (i: number): boolean => map[i]! * scale >= threshold;
  const out = new Uint8Array(img.data);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const o = 4 * i;
      out[o + 3] = 255;
      if (!inside(i)) continue;
      const edge = (x > 0 && !inside(i - 1)) || (x < w - 1 && !inside(i + 1)) || (y > 0 && !inside(i - w)) || (y < h - 1 && !inside(i + w));
      for (let c = 0; c < 3; c++) {
        out[o + c] = edge ? style.contour[c]! : Math.round(img.data[o + c]! * (1 - style.tintAlpha) + style.tint[c]! * style.tintAlpha);
      }
    }
  }
  return { width: w, height: h, data: out };
}
