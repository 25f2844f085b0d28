// Bundles the browser build with esbuild, as ES modules under web/dist/:
//   pranet.js  the library (src/browser.ts) for pages that embed the engine
//   app.js     the demo page (web/app.ts) with the engine inside
// The build fails if anything Node-only (a node: builtin, the `webgpu` package) would reach a bundle.
// Run by `npm run build:web`, after tools/build/embed-shaders.mjs has generated the WGSL module.
import { build } from 'esbuild';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB_DIST = join(ROOT, 'web', 'dist');
export const WEB_ENTRIES = { pranet: join(ROOT, 'src', 'browser.ts'), app: join(ROOT, 'web', 'app.ts') };

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Packages that only work in Node. */
const NODE_ONLY_PACKAGES = ['webgpu'];

/** Records every import of a Node-only module (kept external so the build can list them all, then fail). */
function nodeOnlyGuard(found) {
  return {
    name: 'node-only-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split('/')[0];
        const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : bare;
        if (args.path.startsWith('node:') || NODE_BUILTINS.has(args.path) || NODE_ONLY_PACKAGES.includes(pkg)) {
          found.push(`${args.path} (imported by ${relative(ROOT, args.importer) || args.importer})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

/**
 * src/weights/inflate.ts uses only pako's Inflate (its pako.d.ts declares nothing else), so its import
 * resolves to pako's inflate half: the unused deflate code would be a third of the engine's bundle.
 */
const PAKO_INFLATE_ONLY = {
  name: 'pako-inflate-only',
  setup(b) {
    b.onResolve({ filter: /^pako$/ }, (args) =>
      args.importer === join(ROOT, 'src', 'weights', 'inflate.ts')
        ? b.resolve('pako/lib/inflate.js', { resolveDir: args.resolveDir, kind: args.kind })
        : undefined,
    );
  },
};

/**
 * Bundles `entryPoints` ({ name: path }) into `outdir` as minified ES modules with source maps.
 * Returns each output's path and size; throws if a Node-only module is imported.
 */
export async function bundleBrowser(entryPoints, outdir) {
  const generated = join(ROOT, 'src', 'kernels', 'wgsl-sources.generated.ts');
  if (!existsSync(generated)) throw new Error(`${relative(ROOT, generated)} is missing: run node tools/build/embed-shaders.mjs first (npm run build:web does)`);
  const found = [];
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'warning',
    plugins: [nodeOnlyGuard(found), PAKO_INFLATE_ONLY],
  });
  if (found.length > 0) {
    throw new Error(
      `Node-only modules would reach the browser bundle:\n  ${[...new Set(found)].join('\n  ')}\n` +
        'Browser code must reach Node modules only through a computed dynamic import (see src/weights/load-weight-file.ts).',
    );
  }
  return Object.keys(result.metafile.outputs)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const path = join(ROOT, f);
      return { path, bytes: statSync(path).size, gzipBytes: gzipSync(readFileSync(path)).length };
    });
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const outputs = await bundleBrowser(WEB_ENTRIES, WEB_DIST);
    for (const o of outputs) console.log(`${relative(ROOT, o.path)}  ${kB(o.bytes)} (gzip ${kB(o.gzipBytes)})`);
  } catch (err) {
    console.error(`bundle-web: ${err.message}`);
    process.exit(1);
  }
}
