import type { GrayMap } from './gray-map.js';

/**
 * MATLAB `rgb2gray` weights: the first row of inv(NTSC RGB->YIQ matrix). The often-quoted
 * 0.2989/0.5870/0.1140 are these rounded to 4 digits.
 */
export const MATLAB_RGB2GRAY_WEIGHTS: readonly [number, number, number] = [0.298936021293775, 0.587043074451121, 0.114020904255103];

function checkRgba(rgba: Uint8Array, width: number, height: number, what: string): void {
  if (rgba.length !== width * height * 4) {
    throw new Error(`${what}: expected ${width}x${height} RGBA = ${width * height * 4} bytes, got ${rgba.length}`);
  }
}

/**
 * GT gray as PraNet's main.m gets it: MATLAB rgb2gray on uint8, i.e. the weighted sum rounded
 * half away from zero (all sums are positive, so Math.round is the same). Alpha is ignored.
 */
export function rgbaToGrayMatlab(rgba: Uint8Array, width: number, height: number): GrayMap {
  checkRgba(rgba, width, height, 'rgbaToGrayMatlab');
  const [wr, wg, wb] = MATLAB_RGB2GRAY_WEIGHTS;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const o = 4 * i;
    data[i] = Math.round(wr * rgba[o]! + wg * rgba[o + 1]! + wb * rgba[o + 2]!);
  }
  return { width, height, data };
}

/** Prediction gray as main.m reads it: the first (red) channel only. */
export function rgbaFirstChannel(rgba: Uint8Array, width: number, height: number): GrayMap {
  checkRgba(rgba, width, height, 'rgbaFirstChannel');
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i]!;
  return { width, height, data };
}
