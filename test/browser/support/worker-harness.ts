// Opens the worker test page: the page's script and the worker entry (src/worker.ts) bundled side by side into
// the session's /test-files/bundle/, and the HTML one folder up, so that a weight URL resolved against the
// worker's script instead of the page would miss the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as BundleWeb from '../../../tools/build/bundle-web.mjs';
import { REPO_ROOT } from '../../support/paths.js';
import type { Session } from './session.js';
import './worker-wire.js'; // declares window.workerHarness

export async function openWorkerHarness(s: Session): Promise<void> {
  const { bundleBrowser } = (await import(pathToFileURL(join(REPO_ROOT, 'tools/build/bundle-web.mjs')).href)) as typeof BundleWeb;
  const dir = join(s.files, 'bundle');
  mkdirSync(dir, { recursive: true });
  await bundleBrowser({ page: join(REPO_ROOT, 'test/browser/harness/worker-page.ts'), worker: join(REPO_ROOT, 'src/worker.ts') }, dir);
  writeFileSync(
    join(s.files, 'worker.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>pranet worker test</title><script type="module" src="bundle/page.js"></script>\n',
  );
  await s.page.goto(`${s.url}test-files/worker.html`);
  await s.page
    .waitForFunction(() => window.workerHarness !== undefined, undefined, { timeout: 30_000 })
    .catch(() => Promise.reject(new Error('the worker test page did not start within 30 s (did bundle/page.js load? see the page errors above)')));
}
