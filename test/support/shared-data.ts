// The shared data some tests read (support/paths.ts names it); without it they skip or, in CI, fail
// (support/prerequisites.ts).
import { existsSync } from 'node:fs';
import { requireOrSkip } from './prerequisites.js';

/** Why the shared data at `paths` is unavailable (the first path missing), or null when every path exists. */
export function whyNoSharedData(paths: readonly string[]): string | null {
  const missing = paths.find((p) => !existsSync(p));
  return missing === undefined ? null : `shared data missing: ${missing} (the shared folder is ../shared next to the repository, or $PRANET_SHARED)`;
}

/** Skips (or, in CI, fails) the calling suite or test unless every one of `paths` exists. */
export function requireSharedData(ctx: Mocha.Context, ...paths: string[]): void {
  requireOrSkip(ctx, whyNoSharedData(paths));
}
