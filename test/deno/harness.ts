// Runs in Deno (WebGPU on wgpu), bundled by test/deno/support/run-deno.ts with the browser build's settings:
// the engine through its browser entry on Deno's navigator.gpu. Reads a request (JSON, its path the first
// argument), segments the image with the given weights and runs the kernel cases it names, writes every
// output as raw float32 into the request's folder, and prints a JSON report with the cold-start times.
import { createBrowserGpu, Segmenter, weightsFromBytes } from '../../src/browser.js';
import { PipelineCache } from '../../src/gpu/pipelines.js';
import { kernelCases } from '../browser/support/kernel-cases.js';
import { runKernelCall } from '../support/run-kernel.js';
import type { DenoReport, DenoRequest } from './support/deno-wire.js';

/** The part of Deno's API used here (the project compiles without Deno's types). */
declare const Deno: {
  args: string[];
  readFile(path: string): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
};

const bytesOf = (f: Float32Array) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);

async function main(): Promise<DenoReport> {
  const request = JSON.parse(await Deno.readTextFile(Deno.args[0]!)) as DenoRequest;
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  const gpu = await createBrowserGpu();
  const deviceMs = lap();
  const weights = weightsFromBytes(await Deno.readFile(request.weights), request.weights);
  const weightsMs = lap();
  const segmenter = await Segmenter.create(gpu, weights);
  const buildMs = lap();
  const pixels = { width: request.image.width, height: request.image.height, data: await Deno.readFile(request.image.rgba) };
  const first = await segmenter.segment(pixels, { logits: true });
  const firstRunMs = lap();
  await segmenter.segment(pixels);
  const secondRunMs = lap();
  await Deno.writeFile(`${request.out}/logits.f32`, bytesOf(first.logits!));
  await Deno.writeFile(`${request.out}/probability.f32`, bytesOf(first.probability));
  await segmenter.dispose();

  const cache = new PipelineCache(gpu);
  const all = kernelCases();
  for (const index of request.cases) {
    const c = all[index]!;
    const missing = /^enable ([\w, ]+);/m
      .exec(c.call.code)?.[1]
      ?.split(/,\s*/)
      .filter((f) => !gpu.features.has(f));
    if (missing?.length) throw new Error(`kernel case ${index} (${c.name}) needs ${missing.join(', ')}, which this device lacks`);
    const y = (await runKernelCall(gpu, cache, c.call, c.inputs, { y: c.yFloats })).y!;
    await Deno.writeFile(`${request.out}/case-${index}.f32`, bytesOf(y));
  }
  const kernelsMs = lap();
  gpu.destroy();
  return {
    adapter: gpu.adapter,
    features: [...gpu.features],
    coldStart: { deviceMs, weightsMs, buildMs, firstRunMs, secondRunMs },
    kernelsMs,
  };
}

main().then(
  (report) => console.log(JSON.stringify(report)),
  (err: Error) => {
    console.error(`deno harness: ${err.stack ?? err.message}`);
    throw err;
  },
);
