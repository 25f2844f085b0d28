// The network input, as PraNet's test loader builds it: PIL convert('RGB') -> resize((352, 352), BILINEAR)
// -> torchvision ToTensor (uint8 / 255 in float32) -> Normalize((x - mean) / std in float32), NCHW.
import { resizeBilinearPil } from './pil-resize.js';
import { checkRgbImage, checkRgbaImage, rgbFromRgba, type RgbaImage, type RgbImage } from './rgba-image.js';

export const PRANET_INPUT_SIZE = 352;
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * value -> normalised float for each channel. Every step is one float32 operation, as in torch:
 * fround(v / 255) is the correctly rounded float32 quotient (double rounding cannot differ for one
 * division), and mean/std are the float32 values torch.as_tensor makes of them.
 */
const LUTS = IMAGENET_MEAN.map((m, c) => {
  const mean = Math.fround(m);
  const std = Math.fround(IMAGENET_STD[c]!);
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.fround(Math.fround(Math.fround(v / 255) - mean) / std);
  return lut;
});

/** ToTensor + Normalize of an RGB image into `out` (3 planes, CHW) starting at `offset`. */
export function normalizeToChw(rgb: RgbImage, out: Float32Array = new Float32Array(3 * rgb.width * rgb.height), offset = 0): Float32Array {
  checkRgbImage(rgb, 'normalizeToChw');
  const plane = rgb.width * rgb.height;
  if (offset < 0 || offset + 3 * plane > out.length) {
    throw new Error(`normalizeToChw: output holds ${out.length} floats, cannot write 3x${plane} at offset ${offset}`);
  }
  for (let c = 0; c < 3; c++) {
    const lut = LUTS[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = lut[rgb.data[3 * i + c]!]!;
  }
  return out;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new Error(`preprocess: size must be a positive integer, got ${size}`);
}

/** One image -> a 1x3xSxS float32 tensor (alpha dropped, not composited). */
export function preprocess(img: RgbaImage, size = PRANET_INPUT_SIZE): Float32Array {
  checkSize(size);
  checkRgbaImage(img, 'preprocess input');
  return normalizeToChw(resizeBilinearPil(rgbFromRgba(img), size, size));
}

/** Several images -> one Nx3xSxS float32 tensor, image i at offset i*3*S*S. */
export function preprocessBatch(imgs: readonly RgbaImage[], size = PRANET_INPUT_SIZE): Float32Array {
  checkSize(size);
  if (imgs.length === 0) throw new Error('preprocessBatch: no images');
  const per = 3 * size * size;
  const out = new Float32Array(imgs.length * per);
  imgs.forEach((img, i) => {
    checkRgbaImage(img, `preprocessBatch image ${i}`);
    normalizeToChw(resizeBilinearPil(rgbFromRgba(img), size, size), out, i * per);
  });
  return out;
}
