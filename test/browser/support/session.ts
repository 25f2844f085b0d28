// One headless Chromium (Debian's, never a downloaded one) and the project's static server on 127.0.0.1 at a
// free port. WebGPU is switched on with --enable-unsafe-webgpu (without a GPU, Chromium's SwiftShader adapter
// serves it), and the other flags keep the browser off the network. Everything that can hang has a deadline
// that fails with a message saying what did not finish.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AdapterSummary } from '../../../src/gpu/context.js';
import type * as BundleWeb from '../../../tools/build/bundle-web.mjs';
import type * as Serve from '../../../tools/serve.mjs';
import { REPO_ROOT } from '../../support/paths.js';
import { tinyPraNetWeightFile } from '../../support/tiny-weights.js';

export const CHROMIUM = process.env.PRANET_CHROMIUM ?? '/usr/bin/chromium';

const QUIET_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
  '--disable-background-networking',
  '--disable-component-update',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1', // no DNS lookups at all
];

/** Rejects with "`what` did not finish within N s" if `work` takes longer than `ms`. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Session {
  browser: Browser;
  page: Page;
  /** the server's base URL, ending in / */
  url: string;
  /** a folder served at /test-files/, removed on close */
  files: string;
  close(): Promise<void>;
}

const importTool = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(REPO_ROOT, path)).href)) as T;

/**
 * Starts the server (the demo's folders, plus a temporary folder at /test-files/ holding tiny.pnw, the tiny
 * random PraNet of test/support/tiny-weights.ts) and a Chromium with or without WebGPU, and opens a page.
 * `args` adds Chromium flags (e.g. the fake camera's).
 */
export async function openSession(opts: { webgpu: boolean; args?: string[] }): Promise<Session> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/install-system does), or set PRANET_CHROMIUM to the browser's path`);
  }
  const files = mkdtempSync(join(tmpdir(), 'pranet-browser-test-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(files, { recursive: true, force: true })];
  const close = async () => {
    // last opened, first closed; each step at most once, and a failing step does not stop the others
    for (const f of cleanups.splice(0).reverse()) {
      await withDeadline(Promise.resolve().then(f), 30_000, 'closing the browser test session').catch((e: Error) =>
        console.log(`      (cleanup: ${e.message})`),
      );
    }
  };
  try {
    writeFileSync(join(files, 'tiny.pnw'), tinyPraNetWeightFile(1));
    const serve = await importTool<typeof Serve>('tools/serve.mjs');
    const server = await serve.startServer({ port: 0, mounts: { ...serve.defaultMounts(REPO_ROOT), '/test-files/': files } });
    cleanups.push(() => server.close());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      args: [...(opts.webgpu ? ['--enable-unsafe-webgpu'] : []), ...QUIET_ARGS, ...(opts.args ?? [])],
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => console.log(`      [page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`      [page console.${m.type()}] ${m.text()}`);
    });
    return { browser, page, url: server.url, files, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A test page: its entries (name -> .ts file, bundled into `folder` of /test-files/) and the global it sets when it runs. */
export interface TestPage {
  html: string;
  title: string;
  folder: string;
  entries: Record<string, string>;
  /** the entry the HTML runs */
  script: string;
  ready: string;
}

/** Bundles a test page into the session's /test-files/, opens it and waits until it has set its global. */
export async function openTestPage(s: Session, t: TestPage): Promise<void> {
  const { bundleBrowser } = await importTool<typeof BundleWeb>('tools/build/bundle-web.mjs');
  const dir = join(s.files, t.folder);
  mkdirSync(dir, { recursive: true });
  await bundleBrowser(t.entries, dir);
  const src = t.folder ? `${t.folder}/${t.script}.js` : `${t.script}.js`;
  writeFileSync(
    join(s.files, t.html),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${t.title}</title><script type="module" src="${src}"></script>\n`,
  );
  await s.page.goto(`${s.url}test-files/${t.html}`);
  await s.page
    .waitForFunction((name) => (window as unknown as Record<string, unknown>)[name] !== undefined, t.ready, { timeout: 30_000 })
    .catch(() => Promise.reject(new Error(`the page ${t.html} did not start within 30 s (did ${src} load? see the page errors above)`)));
}

/**
 * Bundles the test harness page (test/browser/harness/page.ts) into the session's /test-files/ folder, opens
 * it and waits for its WebGPU device; returns the adapter the page got.
 */
export async function openHarness(s: Session): Promise<AdapterSummary> {
  const entries = { harness: join(REPO_ROOT, 'test/browser/harness/page.ts') };
  await openTestPage(s, { html: 'harness.html', title: 'pranet test harness', folder: '', entries, script: 'harness', ready: 'harnessReady' });
  return withDeadline(
    s.page.evaluate(() => window.harnessReady!.then((h) => h.adapter)),
    60_000,
    'the harness page getting a WebGPU device',
  );
}
