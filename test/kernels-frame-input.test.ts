// The video path's GPU pre-processing: frame bytes -> PyTorch's antialiased bilinear -> ImageNet normalisation, against
// its float64 reference on awkward sizes, and against PyTorch itself on the sample image.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, encodeNpy } from '../src/io/npy.js';
import { frameInputKernel, frameInputReference, frameInputTable } from '../src/kernels/frame-input.js';
import { roundUp, type TensorView, unpackNhwc } from '../src/kernels/layout.js';
import { expectClose, expectOutputWindow } from './support/compare.js';
import { runCall } from './support/gpu.js';
import { PYTHON } from './support/paths.js';
import { requireTorch } from './support/python.js';
import { int, rng } from './support/random.js';
import { sampleImage } from './support/shipped-model.js';

/** Runs the kernel on RGBA bytes laid out with `rowWords` words per row; returns the input view's NCHW values and raw output. */
async function run(rgba: Uint8Array, width: number, height: number, rowWords: number, y: TensorView) {
  const words = new Uint32Array(rowWords * height);
  const src = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  for (let r = 0; r < height; r++) words.set(src.subarray(r * width, (r + 1) * width), r * rowWords);
  const call = frameInputKernel({ width, height, rowWords }, y);
  const table = frameInputTable(width, height, y.h);
  const inputs = { frame: new Float32Array(words.buffer), taps: new Float32Array(table.taps.buffer), weights: table.weights };
  const raw = (await runCall(call, inputs, { y: y.h * y.w * y.cs })).y!;
  return { nchw: unpackNhwc(raw, y), raw };
}

describe('frame input kernel (video pre-processing on the GPU)', () => {
  it('equals its float64 reference on 16 frames: 1x1, odd sizes, up- and downscaling, padded rows, output windows', async () => {
    const r = rng(41);
    const cases: [number, number, number][] = [
      [1, 1, 5],
      [3, 7, 4],
      [626, 546, 64],
      [17, 9, 32],
    ];
    while (cases.length < 16) cases.push([int(r, 1, 90), int(r, 1, 90), int(r, 1, 40)]);
    for (const [i, [width, height, size]] of cases.entries()) {
      const rgba = Uint8Array.from({ length: 4 * width * height }, () => Math.floor(256 * r()));
      const co = 4 * int(r, 0, 1);
      const y: TensorView = { n: 1, c: 3, h: size, w: size, co, cs: co + 4 + 4 * int(r, 0, 1) };
      const rowWords = width + (i % 2 ? int(r, 1, 64) : 0);
      const { nchw, raw } = await run(rgba, width, height, rowWords, y);
      expectClose(nchw, frameInputReference(rgba, width, height, size), 1e-5, `case ${i}: ${width}x${height} -> ${size}, ${rowWords} words per row`);
      expectOutputWindow(raw, y.cs, y.co, 3, `case ${i}`);
    }
  });

  it('refuses a row stride shorter than the frame and an input view that is not 1x3xSxS', () => {
    const y = { n: 1, c: 3, h: 8, w: 8, co: 0, cs: 4 };
    expect(() => frameInputKernel({ width: 10, height: 4, rowWords: 9 }, y)).to.throw(/9 words per row cannot hold 10 pixels/);
    expect(() => frameInputKernel({ width: 10, height: 4, rowWords: 10 }, { ...y, w: 9 })).to.throw(/must be 1x3xSxS, got 1x3x8x9/);
  });

  it('gives what PyTorch gives (to_tensor, F.interpolate bilinear with antialias, normalize) on the sample image and on crops of it to upscale', async function () {
    requireTorch(this);
    const img = sampleImage();
    // The whole sample shrinks on both axes; frames smaller than the network input (the float64 reference shares
    // the taps with the kernel, so only PyTorch can check them) grow on one axis or on both, to 352 and to 64.
    const crop = (x: number, y: number, w: number, h: number) => {
      const data = new Uint8Array(4 * w * h);
      if (x + w > img.width || y + h > img.height) throw new Error(`crop ${x},${y} ${w}x${h} outside the ${img.width}x${img.height} sample`);
      for (let r = 0; r < h; r++) data.set(img.data.subarray(4 * ((y + r) * img.width + x), 4 * ((y + r) * img.width + x + w)), 4 * r * w);
      return { width: w, height: h, data };
    };
    const cases = [
      { frame: img, size: 352 },
      { frame: crop(300, 100, 200, 150), size: 352 },
      { frame: crop(250, 40, 37, 500), size: 352 },
      { frame: crop(290, 200, 23, 41), size: 64 },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'pranet-frame-'));
    try {
      cases.forEach(({ frame: f }, i) => writeFileSync(join(dir, `rgba${i}.npy`), encodeNpy(Float32Array.from(f.data), [f.height, f.width, 4])));
      const script = [
        'import numpy as np, torch, torch.nn.functional as F, sys',
        `for i, size in enumerate(${JSON.stringify(cases.map((c) => c.size))}):`,
        `    x = torch.from_numpy(np.load(f"${dir}/rgba{i}.npy")[:, :, :3].astype(np.uint8)).permute(2, 0, 1).float().div(255).unsqueeze(0)`,
        '    y = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)',
        '    y = (y - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)',
        `    np.save(f"${dir}/torch{i}.npy", y.numpy().astype(np.float32))`,
      ].join('\n');
      const p = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
      expect(p.status, p.stderr).to.equal(0);
      for (const [i, { frame, size }] of cases.entries()) {
        const want = decodeNpy(readFileSync(join(dir, `torch${i}.npy`)), `torch${i}.npy`).data;
        const { nchw } = await run(frame.data, frame.width, frame.height, frame.width, { n: 1, c: 3, h: size, w: size, co: 0, cs: roundUp(3, 4) });
        expectClose(nchw, want, 2e-6, `frame input vs PyTorch, ${frame.width}x${frame.height} -> ${size}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
