// `npm run fuzz -- --cases N --seed S`: structure-aware fuzzing of the checkpoint and image readers (cases.ts)
// in a child process with a per-case time limit and memory cap (judge.ts). A failing case is saved under
// test/fuzz-corpus/ as <kind>-<sha256 prefix>.<ext>, which test/fuzz-corpus.test.ts replays in `npm test`.
// Exit code 1 when any case failed, 2 for a usage error.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTENSION, KINDS, makeCase } from './cases.js';
import { CORPUS_DIR } from './corpus.js';
import { DEFAULT_LIMITS, type Limits } from './judge.js';
import type { CaseReport } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

function usage(message: string): never {
  console.error(`fuzz: ${message}. Usage: npm run fuzz -- --cases N --seed S [--time-limit-ms T] [--memory-cap-mib M] [--no-save]`);
  process.exit(2);
}

function parse(argv: string[]): { cases: number; seed: number; limits: Limits; save: boolean } {
  const o = { cases: 2000, seed: 1, limits: { ...DEFAULT_LIMITS }, save: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--no-save') {
      o.save = false;
      continue;
    }
    const value = argv[++i];
    const n = Number(value);
    if (value === undefined || !Number.isSafeInteger(n) || n < 0) usage(`${flag} needs a non-negative integer, got '${value}'`);
    if (flag === '--cases') o.cases = n;
    else if (flag === '--seed') o.seed = n;
    else if (flag === '--time-limit-ms') o.limits.timeMs = n;
    else if (flag === '--memory-cap-mib') o.limits.memoryBytes = n * 2 ** 20;
    else usage(`unknown option '${flag}'`);
  }
  return o;
}

/** Saves a failing case's bytes (named by content, so a rerun does not duplicate it); returns the path. */
function saveReproducer(seed: number, index: number): string {
  const c = makeCase(seed, index);
  const name = `${c.kind}-${createHash('sha256').update(c.bytes).digest('hex').slice(0, 12)}.${EXTENSION[c.kind]}`;
  mkdirSync(CORPUS_DIR, { recursive: true });
  const path = join(CORPUS_DIR, name);
  if (!existsSync(path)) writeFileSync(path, c.bytes);
  return path;
}

/** Runs cases [from, to) in one child; resolves with the index after the last case it finished. */
function runChild(seed: number, from: number, to: number, limits: Limits, onReport: (r: CaseReport) => void): Promise<{ next: number; died?: string }> {
  // Wall clock, generous: it only has to catch a case that never ends (CPU time is judged per case).
  const hardMs = Math.max(60_000, 30 * limits.timeMs);
  return new Promise((resolve) => {
    let next = from;
    const child = fork(WORKER, [String(seed), String(from), String(to), JSON.stringify(limits)], {
      execArgv: ['--expose-gc', '--max-old-space-size=2048'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let killedFor: string | undefined;
    let timer = setTimeout(() => undefined, 0);
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        killedFor = `no result within ${hardMs / 1000} s (a hang)`;
        child.kill('SIGKILL');
      }, hardMs);
    };
    arm();
    child.on('message', (r: CaseReport) => {
      next = r.index + 1;
      onReport(r);
      arm();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (next >= to) resolve({ next });
      else resolve({ next, died: killedFor ?? `the process died (${signal ?? `exit code ${code}`})` });
    });
  });
}

async function main(): Promise<number> {
  const { cases, seed, limits, save } = parse(process.argv.slice(2));
  const started = performance.now();
  const counts = new Map<string, Map<string, number>>(KINDS.map((k) => [k, new Map()]));
  const failures: string[] = [];
  let slowest = { ms: 0, index: -1 };
  let hungriest = { bytes: 0, index: -1 };
  let done = 0;
  const fail = (index: number, kind: string, why: string) => {
    const where = save ? ` -> ${saveReproducer(seed, index)}` : '';
    failures.push(`case ${index} (${kind}, seed ${seed}): ${why}${where}`);
    console.error(`FAIL case ${index} (${kind}; ${makeCase(seed, index).recipe.join('; ')}): ${why.split('\n').slice(0, 4).join('\n  ')}${where}`);
  };
  const onReport = (r: CaseReport) => {
    done++;
    const byVerdict = counts.get(r.kind)!;
    byVerdict.set(r.verdict, (byVerdict.get(r.verdict) ?? 0) + 1);
    if (r.ms > slowest.ms) slowest = { ms: r.ms, index: r.index };
    if (r.growthBytes > hungriest.bytes) hungriest = { bytes: r.growthBytes, index: r.index };
    if (r.verdict === 'slow') fail(r.index, r.kind, `took ${r.ms.toFixed(0)} ms of CPU, over the ${limits.timeMs} ms limit`);
    else if (r.verdict === 'memory') fail(r.index, r.kind, `grew memory by ${(r.growthBytes / 2 ** 20).toFixed(0)} MiB, over the cap`);
    else if (r.verdict === 'bug') fail(r.index, r.kind, r.message ?? 'not the project error');
    if (done % Math.max(1000, Math.floor(cases / 10)) === 0)
      console.log(`  ${done}/${cases} cases, ${((performance.now() - started) / 1000).toFixed(0)} s, ${failures.length} failures`);
  };
  let from = 0;
  while (from < cases) {
    const { next, died } = await runChild(seed, from, cases, limits, onReport);
    if (died !== undefined) {
      fail(next, makeCase(seed, next).kind, died);
      done++;
      from = next + 1;
    } else from = next;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`fuzz: ${cases} cases (seed ${seed}) in ${seconds.toFixed(1)} s, ${failures.length} failures`);
  for (const [kind, byVerdict] of counts) console.log(`  ${kind.padEnd(12)} ${[...byVerdict].map(([v, n]) => `${v} ${n}`).join(', ')}`);
  console.log(
    `  slowest case ${slowest.index}: ${slowest.ms.toFixed(1)} ms of CPU; largest memory growth case ${hungriest.index}: ${(hungriest.bytes / 2 ** 20).toFixed(1)} MiB`,
  );
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
