// The Python references (Debian's python3-torch, numpy, PIL) back the parity tests; without them those tests
// skip or, in CI, fail (support/prerequisites.ts).
import { spawnSync } from 'node:child_process';
import { PYTHON } from './paths.js';
import { requireOrSkip } from './prerequisites.js';

const checked = new Map<string, string | null>();

/** Why `modules` cannot be imported by the reference Python, or null when they can. */
export function whyNoPython(modules: readonly string[]): string | null {
  const key = modules.join(',');
  if (!checked.has(key)) {
    const r = spawnSync(PYTHON, ['-c', `import ${key}`], { encoding: 'utf8' });
    const last = r.stderr?.trim().split('\n').pop() ?? '';
    const why = r.error ? `${PYTHON} cannot run (${r.error.message})` : r.status !== 0 ? `${PYTHON} cannot import ${key}: ${last}` : null;
    checked.set(key, why && `${why} (install python3-torch, python3-numpy, python3-pil; .ci/install-system does)`);
  }
  return checked.get(key)!;
}

/** Skips (or, in CI, fails) unless the PyTorch reference can run: torch, numpy and PIL. */
export function requireTorch(ctx: Mocha.Context): void {
  requireOrSkip(ctx, whyNoPython(['torch', 'numpy', 'PIL']));
}

/** Skips (or, in CI, fails) unless the PIL/NumPy oracle can run. */
export function requirePil(ctx: Mocha.Context): void {
  requireOrSkip(ctx, whyNoPython(['PIL', 'numpy']));
}
