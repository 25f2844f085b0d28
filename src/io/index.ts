// The browser-safe part of the io layer. Node file access lives in ./files-node.js.
export { decodeImage, DEFAULT_MAX_PIXELS, ImageDecodeError, type DecodeOptions, type RgbaImage, type RgbImage } from './image.js';
export { encodePng, encodePngRgba } from './png-encode.js';
export { rgbFromRgba } from './rgba-image.js';
export { resizeBilinearPil } from './pil-resize.js';
export { IMAGENET_MEAN, IMAGENET_STD, normalizeToChw, PRANET_INPUT_SIZE, preprocess, preprocessBatch } from './preprocess.js';
export { binarize, bytescale, minMaxNormalize, toUint8Map } from './postprocess.js';
export { DEFAULT_OVERLAY_STYLE, drawOverlay, type OverlayStyle } from './overlay.js';
export { decodeNpy, encodeNpy, type NpyArray } from './npy.js';
