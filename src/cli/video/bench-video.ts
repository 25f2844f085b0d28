// `pranet bench --video clip.mp4`: frames per second of the whole video path (ffmpeg decoding, upload, the
// network, the resize to the frame and the read-back, up to two frames in flight) beside frames per second of
// the network alone (forward passes of the same model on this device): how much of the decoding, uploading and
// reading back the pipeline hides.
import { loadFrameSegmenter, segmentFrames } from '../../index.js';
import { createNodeGpu } from '../../gpu/node-device.js';
import { PipelineCache } from '../../gpu/pipelines.js';
import { loadWeights } from '../../models/load-weights.js';
import { PraNetModel } from '../../models/pranet-model.js';
import { resolveNodeTuning } from '../../tuning/store-node.js';
import type { TuningChoice } from '../../tuning/resolve.js';
import { adapterText } from '../bench/report.js';
import { decodeFrames, probeVideo, whyNoFfmpeg } from './ffmpeg.js';

export interface VideoBenchResult {
  video: { path: string; width: number; height: number; frames: number };
  network_ms: number;
  network_fps: number;
  end_to_end_fps: number;
  ratio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchVideo(
  path: string,
  weights: string | undefined,
  backend: 'vulkan' | 'opengles' | 'opengl' | undefined,
  tuning: TuningChoice,
  runs: number,
): Promise<VideoBenchResult> {
  const missing = whyNoFfmpeg();
  if (missing) throw new Error(`--video needs ${missing}`);
  const info = probeVideo(path);
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
      console.log(`Device: ${adapterText(gpu)}`);
    } finally {
      model.destroy();
    }
  } finally {
    gpu.destroy();
  }
  // The whole video path, once through the clip after one warm-up frame.
  const segmenter = await loadFrameSegmenter(weights, { backend, tuning });
  try {
    for await (const f of decodeFrames(path, info)) {
      await segmenter.segment(f);
      break;
    }
    const t0 = performance.now();
    let n = 0;
    for await (const r of segmentFrames(segmenter, decodeFrames(path, info))) n += r.probability.length > 0 ? 1 : 0;
    const seconds = (performance.now() - t0) / 1000;
    const endToEnd = n / seconds;
    const network = 1000 / networkMs;
    return {
      video: { path, width: info.width, height: info.height, frames: n },
      network_ms: networkMs,
      network_fps: network,
      end_to_end_fps: endToEnd,
      ratio: endToEnd / network,
    };
  } finally {
    await segmenter.dispose();
  }
}
