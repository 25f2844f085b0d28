// The package as users get it: `npm pack`'s file list, and the packed tarball installed into a fresh project
// without the network (its dependencies are linked from this repository's node_modules, which `npm ci` filled).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface PackSummary {
  filename: string;
  /** bytes of the tarball */
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

/** Runs npm in `cwd`; throws with its output when it fails. --ignore-scripts: `npm test` has already built dist/. */
export function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) {
    throw new Error(`npm ${args.join(' ')} (in ${cwd}) failed: ${r.error?.message ?? `exit ${r.status}`}\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  }
  return r.stdout;
}

const summary = (json: string): PackSummary => (JSON.parse(json) as PackSummary[])[0]!;

/** What `npm pack` would put in the tarball. */
export const packList = (): PackSummary => summary(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], REPO_ROOT));

export interface InstalledPackage {
  /** the consumer project's folder (package.json, node_modules/pranet-wgsl) */
  dir: string;
  pack: PackSummary;
  /** npm's output of the install */
  log: string;
  cleanup(): void;
}

/**
 * Packs the package into a temporary folder and installs the tarball into a new project there, offline. The
 * package's runtime dependencies are installed from this repository's node_modules as links, so nothing is
 * fetched; npm still runs the install as for any tarball (including deciding which lifecycle scripts to run).
 */
export function installPacked(): InstalledPackage {
  const dir = mkdtempSync(join(tmpdir(), 'pranet-consumer-'));
  try {
    const pack = summary(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], REPO_ROOT));
    const deps = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
    const log = npm(['install', '--offline', '--no-audit', '--no-fund', join(dir, pack.filename), ...deps.map((d) => join(REPO_ROOT, 'node_modules', d))], dir);
    return { dir, pack, log, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
