// `pranet bench --video clip.mp4`: frames per second of the whole video path (ffmpeg decoding, upload, the
// network, the resize to the frame and the read-back, up to two frames in flight) beside frames per second of
// the network alone (forward passes of the same model on this device): how much of the decoding, uploading and
// reading back the pipeline hides. `--frames WxH` does the same on frames generated in memory at that size
// (no decoder needed: the 1080p real-time check on a lent GPU machine, which has no ffmpeg).
import { type FrameInput, loadFrameSegmenter, segmentFrames } from '../../index.js';
import { createNodeGpu } from '../../gpu/node-device.js';
import { PipelineCache } from '../../gpu/pipelines.js';
import { loadWeights } from '../../models/load-weights.js';
import { PraNetModel } from '../../models/pranet-model.js';
import { resolveNodeTuning } from '../../tuning/store-node.js';
import type { TuningChoice } from '../../tuning/resolve.js';
import { median } from '../../tuning/whole-pass.js';
import { adapterText } from '../bench/report.js';
import { decodeFrames, probeVideo, whyNoFfmpeg } from './ffmpeg.js';
import type { Say } from '../say.js';

/** A video file, or frames of a size generated in memory. */
export type VideoBenchSource = { path: string } | { width: number; height: number };

export interface VideoBenchResult {
  /** path is null for generated frames */
  video: { path: string | null; width: number; height: number; frames: number };
  network_ms: number;
  network_fps: number;
  end_to_end_fps: number;
  ratio: number;
}

/** Generated frames run at least this long and this many (after a warm-up frame). */
const GENERATED_MIN_MS = 3000;
const GENERATED_MIN_FRAMES = 10;

/** Parses --frames: WIDTHxHEIGHT, each 1 to 8192. */
export function parseFrameSize(text: string): { width: number; height: number } | undefined {
  const m = /^(\d{1,4})x(\d{1,4})$/.exec(text);
  if (!m) return undefined;
  const [width, height] = [Number(m[1]), Number(m[2])];
  return width >= 1 && height >= 1 && width <= 8192 && height <= 8192 ? { width, height } : undefined;
}

/**
 * Four distinct frames (gradients and a disc that moves), cycled until both minimums are met: distinct so no
 * stage could skip work on a repeated frame; made before timing starts.
 */
function* generatedFrames(width: number, height: number): Generator<{ width: number; height: number; data: Uint8Array }> {
  const pool = [0, 1, 2, 3].map((k) => {
    const data = new Uint8Array(4 * width * height);
    const [cx, cy, r2] = [(width * (2 + k)) / 7, height / 2, (Math.min(width, height) / 5) ** 2];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = 4 * (y * width + x);
        const disc = (x - cx) ** 2 + (y - cy) ** 2 < r2 ? 80 : 0;
        data[o] = Math.min(255, 120 + (x * 97) / width + disc);
        data[o + 1] = (60 + (y * 120) / height) | 0;
        data[o + 2] = 40 + 20 * k;
        data[o + 3] = 255;
      }
    }
    return { width, height, data };
  });
  const t0 = performance.now();
  for (let n = 0; n < GENERATED_MIN_FRAMES || performance.now() - t0 < GENERATED_MIN_MS; n++) yield pool[n % pool.length]!;
}

export async function benchVideo(
  source: VideoBenchSource,
  weights: string | undefined,
  backend: 'vulkan' | 'opengles' | 'opengl' | undefined,
  tuning: TuningChoice,
  runs: number,
  say: Say,
): Promise<VideoBenchResult> {
  let frames: () => AsyncIterable<FrameInput> | Iterable<FrameInput>;
  let size: { width: number; height: number };
  if ('path' in source) {
    const missing = whyNoFfmpeg();
    if (missing) throw new Error(`--video needs ffmpeg and ffprobe: ${missing}`);
    const info = await probeVideo(source.path);
    frames = () => decodeFrames(source.path, info);
    size = info;
  } else {
    frames = () => generatedFrames(source.width, source.height);
    size = source;
  }
  const loaded = await loadWeights(weights ?? (await import('../../index.js')).DEFAULT_WEIGHTS_PATH);
  // The network alone: forward passes, timed from submit to completion.
  const gpu = await createNodeGpu({ backend });
  let networkMs: number;
  try {
    const model = await PraNetModel.create(gpu, new PipelineCache(gpu), loaded, { tiling: resolveNodeTuning(tuning, gpu).policy });
    try {
      model.compiled.writeInputs({ image: new Float32Array(3 * 352 * 352).map((_, i) => Math.sin(i)) });
      const times: number[] = [];
      for (let i = 0; i <= runs; i++) {
        const t0 = performance.now();
        model.compiled.submit();
        await model.compiled.finish();
        if (i > 0) times.push(performance.now() - t0);
      }
      networkMs = median(times);
      say(`Device: ${adapterText(gpu)}`);
    } finally {
      model.destroy();
    }
  } finally {
    gpu.destroy();
  }
  // The whole video path, once through the clip after one warm-up frame.
  const segmenter = await loadFrameSegmenter(weights, { backend, tuning });
  try {
    for await (const f of frames()) {
      await segmenter.segment(f);
      break;
    }
    const t0 = performance.now();
    let n = 0;
    for await (const r of segmentFrames(segmenter, frames())) n += r.probability.length > 0 ? 1 : 0;
    const seconds = (performance.now() - t0) / 1000;
    const endToEnd = n / seconds;
    const network = 1000 / networkMs;
    return {
      video: { path: 'path' in source ? source.path : null, width: size.width, height: size.height, frames: n },
      network_ms: networkMs,
      network_fps: network,
      end_to_end_fps: endToEnd,
      ratio: endToEnd / network,
    };
  } finally {
    await segmenter.dispose();
  }
}
