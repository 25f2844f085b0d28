// Golden data from the PyTorch reference (tools/reference/make_golden.py): a seeded random PraNet with
// calibrated batchnorm, saved as legacy .pth, zip .pth and .safetensors, with float32 and float64 outputs
// for a real Kvasir image saved as PNG. Made once into .cache/golden and reused while the scripts are unchanged.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../src/io/image.js';
import { encodePngRgba } from '../../src/io/png-encode.js';
import { decodeNpy } from '../../src/io/npy.js';
import { KVASIR_TRAIN_IMAGES, PYTHON, REPO_ROOT } from './paths.js';
import { requireTorch } from './python.js';
import { requireSharedData } from './shared-data.js';
import { SAMPLE } from './shipped-model.js';

/** The Kvasir test image the golden outputs are computed on: the sample image. */
export const GOLDEN_IMAGE = 'cju0u82z3cuma0835wlxrnrjv';

export interface Golden {
  dir: string;
  png: string;
  manifest: { tensors: Record<string, { shape: number[]; f32_vs_f64: { rel_l2: number; max_abs: number } }> };
  f64(name: string): Float64Array;
  input(): Float32Array;
}

const SCRIPTS = ['make_golden.py', 'pranet.py', 'pranet_config.py', 'preprocess.py', 'safetensors_io.py'].map((f) => join(REPO_ROOT, 'tools/reference', f));

/** Skips (or, in CI, fails) unless golden data can be made: PyTorch, and the training images it calibrates on. */
export function requireGolden(ctx: Mocha.Context): void {
  requireTorch(ctx);
  requireSharedData(ctx, KVASIR_TRAIN_IMAGES);
}

/** The golden data of `config`, made if missing or older than its scripts; callers requireGolden first. */
export function golden(config: 'official' | 'tiny'): Golden {
  const dir = join(REPO_ROOT, '.cache/golden', config);
  const png = join(REPO_ROOT, '.cache/golden', `${GOLDEN_IMAGE}.png`);
  const manifestPath = join(dir, 'manifest.json');
  const newest = Math.max(...SCRIPTS.map((f) => statSync(f).mtimeMs));
  if (!existsSync(manifestPath) || statSync(manifestPath).mtimeMs < newest) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(png)) {
      const img = decodeImage(readFileSync(SAMPLE), GOLDEN_IMAGE);
      writeFileSync(png, encodePngRgba(img.data, img.width, img.height));
    }
    const r = spawnSync(PYTHON, [join(REPO_ROOT, 'tools/reference/make_golden.py'), '--config', config, '--seed', '0', '--image', png, '--out', dir], {
      encoding: 'utf8',
      timeout: 900_000,
    });
    if (r.error || r.status !== 0) throw new Error(`make_golden.py --config ${config} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  const read = (f: string) => decodeNpy(readFileSync(join(dir, f)), f).data;
  return {
    dir,
    png,
    manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) as Golden['manifest'],
    f64: (name) => Float64Array.from(read(`${name}.f64.npy`)),
    input: () => Float32Array.from(read('input.npy')),
  };
}

/** Relative L2 distance and max absolute difference of `got` from `want`. */
export function distance(got: ArrayLike<number>, want: ArrayLike<number>): { rel_l2: number; max_abs: number } {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let d2 = 0;
  let w2 = 0;
  let max = 0;
  for (let i = 0; i < want.length; i++) {
    const d = got[i]! - want[i]!;
    if (!Number.isFinite(got[i]!)) return { rel_l2: Infinity, max_abs: Infinity };
    d2 += d * d;
    w2 += want[i]! * want[i]!;
    max = Math.max(max, Math.abs(d));
  }
  return { rel_l2: Math.sqrt(d2 / w2), max_abs: max };
}
