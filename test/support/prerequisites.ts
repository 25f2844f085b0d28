// Some tests need what a bare checkout lacks: the Python references (Debian's python3-torch, python3-numpy,
// python3-pil) and the shared data (../shared, or $PRANET_SHARED: Kvasir images and masks, PraNet's released
// maps, the official key list). On a developer's machine without them those tests skip, saying why; CI sets
// PRANET_REQUIRE_ALL=1 so that a missing prerequisite fails the run instead of quietly skipping the very
// tests that need it.

export const REQUIRE_ALL = 'PRANET_REQUIRE_ALL';

export type PrerequisiteAction = 'run' | 'skip' | 'fail';

/** What a test does about a missing prerequisite (`reason`; null when nothing is missing). */
export function prerequisiteAction(reason: string | null, env: Readonly<Record<string, string | undefined>> = process.env): PrerequisiteAction {
  if (reason === null) return 'run';
  return env[REQUIRE_ALL] === '1' ? 'fail' : 'skip';
}

/** Skips the calling suite or test when `reason` says what is missing, or fails it when CI requires everything. */
export function requireOrSkip(ctx: Mocha.Context, reason: string | null): void {
  const action = prerequisiteAction(reason);
  if (action === 'run') return;
  if (action === 'fail') throw new Error(`${reason}; ${REQUIRE_ALL}=1 requires it`);
  console.log(`      SKIPPED: ${reason}`);
  ctx.skip();
}
