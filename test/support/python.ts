// The Python references (Debian's python3-torch, numpy, PIL) back the parity tests. On a developer's machine
// without them those suites skip, saying why; CI sets PRANET_REQUIRE_PYTHON=1 so that a missing install fails
// the run instead of quietly skipping the very tests that compare against PyTorch.
import { spawnSync } from 'node:child_process';
import { PYTHON } from './paths.js';

const checked = new Map<string, string | null>();

/** Why `modules` cannot be imported by the reference Python, or null when they can. */
export function whyNoPython(modules: readonly string[]): string | null {
  const key = modules.join(',');
  if (!checked.has(key)) {
    const r = spawnSync(PYTHON, ['-c', `import ${key}`], { encoding: 'utf8' });
    const last = r.stderr?.trim().split('\n').pop() ?? '';
    checked.set(key, r.error ? `${PYTHON} cannot run (${r.error.message})` : r.status !== 0 ? `${PYTHON} cannot import ${key}: ${last}` : null);
  }
  return checked.get(key)!;
}

/** Skips the calling suite or test when `reason` is set, or fails it when CI requires the references. */
export function skipOrFail(ctx: Mocha.Context, reason: string | null): void {
  if (!reason) return;
  if (process.env.PRANET_REQUIRE_PYTHON === '1') {
    throw new Error(`${reason}; PRANET_REQUIRE_PYTHON=1 requires it (.ci/install-system installs python3-torch, python3-numpy, python3-pil)`);
  }
  console.log(`      SKIPPED: ${reason} (install python3-torch, python3-numpy, python3-pil to run it)`);
  ctx.skip();
}

/** Skips (or, in CI, fails) unless the PyTorch reference can run: torch, numpy and PIL. */
export function requireTorch(ctx: Mocha.Context): void {
  skipOrFail(ctx, whyNoPython(['torch', 'numpy', 'PIL']));
}

/** Skips (or, in CI, fails) unless the PIL/NumPy oracle can run. */
export function requirePil(ctx: Mocha.Context): void {
  skipOrFail(ctx, whyNoPython(['PIL', 'numpy']));
}
