// Types of tools/build/bundle-web.mjs for the TypeScript tests that bundle their browser harness.
export const WEB_DIST: string;
export const WEB_ENTRIES: Readonly<Record<string, string>>;
export function bundleBrowser(entryPoints: Record<string, string>, outdir: string): Promise<{ path: string; bytes: number; gzipBytes: number }[]>;
