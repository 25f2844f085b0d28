// Runs the Deno harness: bundles test/deno/harness.ts as the browser build is bundled (no Node modules may
// reach it), writes the request and the image into a temporary folder, and runs the `deno` dev dependency
// with WebGPU switched on and file access limited to that folder and the weights.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RgbaImage } from '../../../src/io/rgba-image.js';
import type * as BundleWeb from '../../../tools/build/bundle-web.mjs';
import { REPO_ROOT } from '../../support/paths.js';
import type { DenoReport, DenoRequest } from './deno-wire.js';

/** The `deno` npm package's launcher (it runs the platform's binary from @deno/<platform>). */
export const DENO = join(REPO_ROOT, 'node_modules/deno/bin.cjs');

/** Why Deno cannot run here, or null. */
export function whyNoDeno(): string | null {
  return existsSync(DENO) ? null : `the deno dev dependency is not installed (${DENO} is missing): run npm install`;
}

export interface DenoRun {
  report: DenoReport;
  /** the float32 file the harness wrote, e.g. 'logits' or 'case-3' */
  floats(name: string): Float32Array;
  cleanup(): void;
}

/** Runs `deno args` to its end; rejects after `ms` with what it printed so far. */
function runDeno(args: string[], ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DENO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`deno did not finish within ${ms / 1000} s; its output:\n${out}${err}`));
    }, ms);
    child.on('error', (e) => reject(new Error(`deno could not start: ${e.message}`)));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`deno ${args.slice(0, 2).join(' ')} ... exited with ${code}:\n${err.slice(-4000)}`));
    });
  });
}

export async function runDenoHarness(weights: string, image: RgbaImage, cases: number[], ms: number): Promise<DenoRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pranet-deno-'));
  try {
    const { bundleBrowser } = (await import(pathToFileURL(join(REPO_ROOT, 'tools/build/bundle-web.mjs')).href)) as typeof BundleWeb;
    await bundleBrowser({ harness: join(REPO_ROOT, 'test/deno/harness.ts') }, dir);
    writeFileSync(join(dir, 'image.rgba'), image.data);
    const request: DenoRequest = { weights, image: { rgba: join(dir, 'image.rgba'), width: image.width, height: image.height }, cases, out: dir };
    writeFileSync(join(dir, 'request.json'), JSON.stringify(request));
    const out = await runDeno(
      ['run', '--unstable-webgpu', '--no-prompt', `--allow-read=${dir},${weights}`, `--allow-write=${dir}`, join(dir, 'harness.js'), join(dir, 'request.json')],
      ms,
    );
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as DenoReport;
    const floats = (name: string) => {
      const b = readFileSync(join(dir, `${name}.f32`));
      return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    };
    return { report, floats, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
