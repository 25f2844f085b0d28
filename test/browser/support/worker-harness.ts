// Opens the worker test page: the page's script and the worker entry (src/worker.ts) bundled side by side into
// the session's /test-files/bundle/, and the HTML one folder up, so that a weight URL resolved against the
// worker's script instead of the page would miss the file.
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.js';
import { openTestPage, type Session } from './session.js';
import './worker-wire.js'; // declares window.workerHarness

export async function openWorkerHarness(s: Session): Promise<void> {
  const entries = { page: join(REPO_ROOT, 'test/browser/harness/worker-page.ts'), worker: join(REPO_ROOT, 'src/worker.ts') };
  await openTestPage(s, { html: 'worker.html', title: 'pranet worker test', folder: 'bundle', entries, script: 'page', ready: 'workerHarness' });
}
