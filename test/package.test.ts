// The package as it reaches users: the tarball holds only what runs (compiled code, declarations, the built-in
// weights, README and licences) and everything the code imports; installed into a fresh project without the
// network, a browser app and a Node script type-check against it (each host gets its own declarations, so
// Node-only API fails in a browser project), the browser app bundles with esbuild (weights copied, the worker
// kept), and the installed command and library run.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEIGHTS_FILE } from '../src/api/default-weights.js';
import { decodeImage } from '../src/io/index.js';
import { typeCheck, writeConsumers, writeReadmeExamples } from './support/consumers.js';
import { installPacked, packList, type InstalledPackage, type PackSummary } from './support/packed-package.js';
import { REPO_ROOT } from './support/paths.js';
import { SAMPLE } from './support/shipped-model.js';

interface Manifest {
  main: string;
  types: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  exports: Record<string, unknown>;
}
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;

/** What may ship: compiled code and declarations, the command, the weights and their note, README, licence. */
const ALLOWED = [/^dist\/src\/.+\.(js|d\.ts)$/, /^bin\/pranet\.js$/, /^weights\/[^/]+\.pnw$/, /^weights\/README\.md$/, /^(LICENSE|README\.md|package\.json)$/];

/** Every path an `exports` entry names (both the code and its declarations), wildcards aside. */
function exportTargets(node: unknown): string[] {
  if (typeof node === 'string') return node.includes('*') ? [] : [node.replace(/^\.\//, '')];
  return Object.values(node as Record<string, unknown>).flatMap(exportTargets);
}

/** The specifiers a compiled module imports: static imports and re-exports, and literal dynamic imports. */
function importsOf(code: string): string[] {
  const patterns = [/^(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm, /^import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

const NODE_BUILTIN = /^node:/;
/** Imported only by `pranet bench --peers`, which says how to install it when it is missing (a dev dependency). */
const OPTIONAL = ['onnxruntime-node'];

describe('package: the tarball', function () {
  let pack: PackSummary;
  let files: Set<string>;

  before(function () {
    this.timeout(120_000);
    pack = packList();
    files = new Set(pack.files.map((f) => f.path));
    console.log(`      npm pack: ${pack.entryCount} files, ${(pack.size / 1e6).toFixed(2)} MB packed, ${(pack.unpackedSize / 1e6).toFixed(2)} MB unpacked`);
  });

  it('ships only runtime code, declarations, the weights, README and licence (no tests, tools, CI, maps or sources)', function () {
    const stray = pack.files.map((f) => f.path).filter((p) => !ALLOWED.some((re) => re.test(p)));
    expect(stray, 'files outside the whitelist').to.deep.equal([]);
    for (const p of files)
      expect(p, 'no source maps, tests, tools or TypeScript sources').to.not.match(/\.map$|^dist\/(test|tools|web)\/|^(test|tools|\.ci|src|web)\//);
  });

  it('holds every file that package.json names and everything the shipped code imports', function () {
    const named = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.bin),
      ...exportTargets(manifest.exports),
      DEFAULT_WEIGHTS_FILE,
      'LICENSE',
      'README.md',
    ];
    for (const p of named) expect(files.has(p.replace(/^\.\//, '')), `${p} is in the tarball`).to.equal(true);
    expect(files.has('dist/src/kernels/wgsl-sources.generated.js'), 'the embedded shaders (run time reads no .wgsl file)').to.equal(true);
    const missing: string[] = [];
    for (const p of files) {
      if (!p.endsWith('.js')) continue;
      for (const spec of importsOf(readFileSync(join(REPO_ROOT, p), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = join(p, '..', spec);
          if (!files.has(target)) missing.push(`${p} imports ${spec} (${target})`);
        } else if (!NODE_BUILTIN.test(spec) && !(spec.split('/')[0]! in manifest.dependencies) && !OPTIONAL.includes(spec)) {
          missing.push(`${p} imports ${spec}, which is not a dependency`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('has a LICENSE matching package.json and a note on the weights with the Kvasir-SEG terms and citation', function () {
    expect(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).to.include('"license": "MIT"');
    const licence = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(licence).to.match(/^MIT License\n\nCopyright \(c\) \d{4} pranet-wgsl contributors\n/);
    const note = readFileSync(join(REPO_ROOT, 'weights/README.md'), 'utf8');
    expect(note).to.include('Kvasir-SEG').and.to.include('research and educational use only').and.to.include('MMM 2020');
  });
});

describe('package: installed from the tarball into a new project', function () {
  let installed: InstalledPackage;

  before(function () {
    this.timeout(300_000);
    installed = installPacked();
    writeConsumers(installed.dir);
  });

  after(() => installed?.cleanup());

  it("installs offline without building (npm runs no tarball's prepare script) and has only the packed files", function () {
    const root = join(installed.dir, 'node_modules/pranet-wgsl');
    expect(existsSync(join(root, 'dist/src/index.js'))).to.equal(true);
    for (const absent of ['tsconfig.json', 'src', 'test', 'tools', 'dist/test'])
      expect(existsSync(join(root, absent)), `${absent} is not installed`).to.equal(false);
  });

  it('a browser project (bundler resolution, "browser" condition) type-checks against the browser declarations', function () {
    const r = typeCheck(installed.dir, 'browser');
    expect(r.errors, 'tsc errors').to.deep.equal([]);
    expect(r.status).to.equal(0);
  });

  it("a browser project that uses Node-only API fails to type-check, naming it (the issue's bug)", function () {
    const r = typeCheck(installed.dir, 'browser-wrong');
    expect(r.status).to.not.equal(0);
    expect(r.errors).to.have.length(2);
    expect(r.errors[0]).to.include("error TS2305: Module '\"pranet-wgsl\"' has no exported member 'readImageFile'");
    expect(r.errors[1]).to.include('error TS2554: Expected 1-2 arguments, but got 0');
  });

  it('a Node project (nodenext resolution) type-checks against the Node declarations', function () {
    const r = typeCheck(installed.dir, 'node');
    expect(r.errors, 'tsc errors').to.deep.equal([]);
    expect(r.status).to.equal(0);
  });

  it("every TypeScript example in the README type-checks against the installed package (Node's or the browser's, by what it imports)", function () {
    this.timeout(120_000);
    const written = writeReadmeExamples(installed.dir);
    expect(written.node.length, 'Node examples').to.be.at.least(2);
    expect(written.browser.length, 'browser examples').to.be.at.least(3);
    for (const project of ['readme-node', 'readme-browser']) {
      const r = typeCheck(installed.dir, project);
      expect(r.errors, `${project}: tsc errors (readme/block-N.ts is the README's Nth ts block)`).to.deep.equal([]);
      expect(r.status, project).to.equal(0);
    }
  });

  it('esbuild bundles the browser app: browser code only, the weights file copied and referenced, the worker kept', async function () {
    this.timeout(120_000);
    const { build } = await import('esbuild');
    const outdir = join(installed.dir, 'web/dist');
    const result = await build({
      entryPoints: { app: join(installed.dir, 'web/app.ts'), worker: join(installed.dir, 'web/worker.ts') },
      absWorkingDir: installed.dir,
      outdir,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      loader: { '.pnw': 'file' },
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).to.include('node_modules/pranet-wgsl/dist/src/browser.js');
    expect(inputs).to.include('node_modules/pranet-wgsl/dist/src/worker-client.js');
    expect(
      inputs.filter((p) => p.endsWith('pranet-wgsl/dist/src/index.js') || p.includes('files-node')),
      'Node-only modules',
    ).to.deep.equal([]);
    const copied = readdirSync(outdir).filter((f) => f.endsWith('.pnw'));
    expect(copied, 'the weight file in the output').to.have.length(1);
    expect(readFileSync(join(outdir, copied[0]!)).equals(readFileSync(join(REPO_ROOT, DEFAULT_WEIGHTS_FILE))), 'copied byte for byte').to.equal(true);
    expect(readFileSync(join(outdir, 'app.js'), 'utf8'), 'the app refers to the copied file').to.include(`./${copied[0]}`);
    // `import 'pranet-wgsl/worker'` is kept only because package.json lists the module under sideEffects
    const worker = readFileSync(join(outdir, 'worker.js'), 'utf8');
    expect(worker).to.include('pranet-wgsl/worker/1');
    expect(worker.length, 'the worker bundle holds the engine').to.be.greaterThan(100_000);
  });

  it('the installed library and `pranet` command run: the built-in weights are found and the sample is segmented', function () {
    this.timeout(300_000);
    const lib = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import * as p from 'pranet-wgsl'; import { existsSync } from 'node:fs'; console.log(JSON.stringify([p.DEFAULT_WEIGHTS_PATH, existsSync(p.DEFAULT_WEIGHTS_PATH)]));",
      ],
      { cwd: installed.dir, encoding: 'utf8' },
    );
    expect(lib.status, lib.stderr).to.equal(0);
    expect(JSON.parse(lib.stdout)).to.deep.equal([join(installed.dir, 'node_modules/pranet-wgsl', DEFAULT_WEIGHTS_FILE), true]);

    const out = join(installed.dir, 'sample.mask.png');
    const cli = spawnSync(join(installed.dir, 'node_modules/.bin/pranet'), ['segment', SAMPLE, '-o', out], {
      cwd: installed.dir,
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(cli.status, `pranet segment: ${cli.stderr}`).to.equal(0);
    const mask = decodeImage(readFileSync(out), out);
    const sample = decodeImage(readFileSync(SAMPLE), SAMPLE);
    expect([mask.width, mask.height]).to.deep.equal([sample.width, sample.height]);
  });
});
