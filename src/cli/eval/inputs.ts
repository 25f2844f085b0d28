// Reading what `pranet eval` scores, the way PraNet's eval/main.m reads it.
import { statSync } from 'node:fs';
import { listImages, readImageFile } from '../../io/files-node.js';
import type { GrayMap } from '../../metrics/gray-map.js';
import { rgbaFirstChannel, rgbaToGrayMatlab } from '../../metrics/from-rgba.js';
import { resizeMapBilinear } from '../../metrics/resize.js';

/** The images in a folder; a missing folder, a file, or a folder without images is an error naming it. */
export async function listFolder(dir: string, what: string): Promise<string[]> {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) throw new Error(`${dir}: no such folder (the ${what} folder)`);
  if (!st.isDirectory()) throw new Error(`${dir}: not a folder (the ${what} folder)`);
  const files = await listImages(dir);
  if (files.length === 0) throw new Error(`${dir}: no .png, .jpg or .jpeg files in this ${what} folder`);
  return files;
}

/**
 * 16-bit PNGs scaled to 0..255 as MATLAB's im2uint8 does, the same for every colour type (the network's input
 * follows PIL instead, which clips 16-bit gray at 255: a 16-bit map would come out nearly binary).
 */
const SCORED = { sixteenBits: 'scale' } as const;

/** A prediction map as main.m reads it: channel 1 of the image, 0..255. */
export async function readPredictionMap(path: string): Promise<GrayMap> {
  const img = await readImageFile(path, SCORED);
  return rgbaFirstChannel(img.data, img.width, img.height);
}

/** A GT mask as main.m reads it: MATLAB rgb2gray (gray files stay as they are); binarised later at > 128. */
export async function readGroundTruth(path: string): Promise<GrayMap> {
  const img = await readImageFile(path, SCORED);
  return rgbaToGrayMatlab(img.data, img.width, img.height);
}

export const RESIZE_NOTE =
  "they were resized with bilinear interpolation (pixel centres, no antialiasing), while PraNet's main.m uses " +
  "MATLAB imresize (bicubic, antialiased when shrinking), so their scores can differ slightly from MATLAB's";

/**
 * The map at the GT's size. A different size is an error naming both files and sizes, unless `resize`
 * allows resizing the map; `resized` says whether that happened.
 */
export function fitMapToGt(map: GrayMap, gt: GrayMap, mapSource: string, gtSource: string, resize: boolean): { map: GrayMap; resized: boolean } {
  if (map.width === gt.width && map.height === gt.height) return { map, resized: false };
  if (!resize) {
    throw new Error(
      `${mapSource} is ${map.width}x${map.height} but its mask ${gtSource} is ${gt.width}x${gt.height} (width x height); ` +
        "pass --resize to resize maps to their mask's size",
    );
  }
  const data = resizeMapBilinear(map.data, map.width, map.height, gt.width, gt.height);
  return { map: { width: gt.width, height: gt.height, data }, resized: true };
}
