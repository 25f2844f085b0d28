// Small projects that use the installed package the way its README says: a browser app (the engine on the page
// and in a worker, the built-in weights imported as a URL), a wrong browser app (Node-only API), a Node script.
// Each is type-checked with this repository's TypeScript under the settings such projects use.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

const BROWSER_APP = `
import { loadSegmenter, imageToRgba, drawOverlay, NoWebGpuError, WeightsLoadError, type Segmentation } from 'pranet-wgsl';
import { loadSegmenterInWorker, type WorkerSegmenter } from 'pranet-wgsl/worker-client';
import weightsFile from 'pranet-wgsl/weights/pranet-kvasir-compact.f16.pnw';

export const weightsUrl = new URL(weightsFile, import.meta.url).href;

export async function onPage(file: Blob): Promise<Uint8Array> {
  const model = await loadSegmenter(weightsUrl, { onProgress: (loaded, total) => console.log(loaded, total) });
  try {
    const pixels = await imageToRgba(file);
    const result: Segmentation = await model.segment(pixels);
    return drawOverlay(pixels, result.mask, 0.5).data;
  } finally {
    await model.dispose();
  }
}

export async function inWorker(bitmap: ImageBitmap): Promise<Float32Array> {
  let model: WorkerSegmenter | undefined;
  try {
    model = await loadSegmenterInWorker(weightsUrl, { worker: new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) });
    return (await model.segment(bitmap, { transfer: true })).probability;
  } catch (err) {
    if (err instanceof NoWebGpuError || err instanceof WeightsLoadError) console.log(err.message);
    throw err;
  } finally {
    await model?.dispose();
  }
}
`;

export const CONSUMER_FILES: Record<string, string> = {
  'web/app.ts': BROWSER_APP,
  'web/worker.ts': "import 'pranet-wgsl/worker';\n",
  // what a bundler's asset import gives (esbuild's file loader, webpack's asset/resource): the file's URL
  'web/pnw.d.ts': "declare module '*.pnw' {\n  const url: string;\n  export default url;\n}\n",
  // the mistake: Node-only API in a browser project must not type-check
  'web/wrong.ts': "import { loadSegmenter, readImageFile } from 'pranet-wgsl';\nexport const model = loadSegmenter();\nexport const read = readImageFile;\n",
  'node/app.ts': `
import { loadSegmenter, readImageFile, encodePng, DEFAULT_WEIGHTS_PATH, type Segmentation } from 'pranet-wgsl';
import { writeFileSync } from 'node:fs';

const model = await loadSegmenter();
const result: Segmentation = await model.segment(await readImageFile(process.argv[2]!), { logits: true });
writeFileSync('mask.png', encodePng(result.mask, result.width, result.height));
console.log(DEFAULT_WEIGHTS_PATH, model.gpu.adapter.description, model.lastTimings.networkMs);
await model.dispose();
`,
};

/** A browser project with a bundler: the "browser" condition, the DOM library, no Node types. */
const BROWSER_OPTIONS = {
  target: 'es2022',
  module: 'esnext',
  moduleResolution: 'bundler',
  customConditions: ['browser'],
  lib: ['es2022', 'dom'],
  types: [],
};

/** A Node project. The DOM library is there for the WebGPU and ImageBitmap types (the README says so). */
const NODE_OPTIONS = {
  target: 'es2022',
  module: 'nodenext',
  moduleResolution: 'nodenext',
  lib: ['es2022', 'dom'],
  types: ['node'],
  typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
};

export const CONSUMER_PROJECTS = {
  browser: { options: BROWSER_OPTIONS, files: ['web/app.ts', 'web/worker.ts', 'web/pnw.d.ts'] },
  'browser-wrong': { options: BROWSER_OPTIONS, files: ['web/wrong.ts'] },
  node: { options: NODE_OPTIONS, files: ['node/app.ts'] },
};

export function writeConsumers(dir: string): void {
  for (const [path, text] of Object.entries(CONSUMER_FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  for (const [name, p] of Object.entries(CONSUMER_PROJECTS)) writeProject(dir, name, p.options, p.files);
}

/** tsconfig.<name>.json: strict, and the package's own declarations checked too (skipLibCheck off). */
function writeProject(dir: string, name: string, options: object, files: string[]): void {
  const compilerOptions = { ...options, strict: true, noEmit: true, skipLibCheck: false };
  writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files }, null, 2));
}

/** `tsc --noEmit -p tsconfig.<name>.json` in `dir`: its exit code and the error lines. */
export function typeCheck(dir: string, name: string): { status: number | null; errors: string[] } {
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', `tsconfig.${name}.json`], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw new Error(`tsc could not run: ${r.error.message}`);
  return { status: r.status, errors: r.stdout.split('\n').filter((l) => l.includes('error TS')) };
}

/**
 * Names the README's examples leave to the reader (the frames of a video, the page's <video>), declared for a
 * block that uses them without defining them.
 */
const README_FREE_NAMES: Record<string, string> = {
  rgbaFrames: 'declare const rgbaFrames: AsyncIterable<{ width: number; height: number; data: Uint8Array }>;',
  video: 'declare const video: HTMLVideoElement;',
  draw: "declare const draw: (result: import('pranet-wgsl/browser').FrameResult) => void;",
  weightsUrl: 'declare const weightsUrl: string;',
  file: 'declare const file: Blob;',
};

/** A browser example imports a browser entry or the weights as an asset; the rest are Node's. */
const isBrowserExample = (code: string) => /^import [^;]*from 'pranet-wgsl\/(browser|worker-client|weights\/)/m.test(code);

/**
 * Writes every ```ts block of README.md as a module of its own (readme/block-N.ts, N from 1 in the README's
 * order) and a project for each host, 'readme-node' and 'readme-browser', checked as the consumers are.
 */
export function writeReadmeExamples(dir: string): { node: string[]; browser: string[] } {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const kinds = { node: [] as string[], browser: [] as string[] };
  blocks.forEach((code, i) => {
    const defined = (name: string) => new RegExp(`(const|let|function) ${name}\\b|import [^;]*\\b${name}\\b`).test(code);
    const free = Object.entries(README_FREE_NAMES).filter(([name]) => new RegExp(`\\b${name}\\b`).test(code) && !defined(name));
    const path = `readme/block-${i + 1}.ts`;
    mkdirSync(join(dir, 'readme'), { recursive: true });
    writeFileSync(join(dir, path), `${code}\n${free.map(([, d]) => d).join('\n')}\nexport {};\n`);
    kinds[isBrowserExample(code) ? 'browser' : 'node'].push(path);
  });
  writeProject(dir, 'readme-node', NODE_OPTIONS, kinds.node);
  writeProject(dir, 'readme-browser', BROWSER_OPTIONS, [...kinds.browser, 'web/pnw.d.ts']); // after writeConsumers
  return kinds;
}
