// Opens the worker-misuse test page: its script, the worker entry (src/worker.ts, as worker.js) and the worker
// scripts of an imagined app around it (HOST_SCRIPTS), side by side in the session's /test-files/misuse/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as BundleWeb from '../../../tools/build/bundle-web.mjs';
import { REPO_ROOT } from '../../support/paths.js';
import type { Session } from './session.js';
import './worker-misuse-wire.js'; // declares window.workerMisuse

/** Module workers as apps write them, each importing ./worker.js (pranet-wgsl/worker) in its own way, or not at all. */
const HOST_SCRIPTS: Record<string, string> = {
  // the app's own code throws at top level before pranet-wgsl/worker is evaluated: it never listens
  'throws-before.js': "import './throws.js';\nimport './worker.js';\n",
  'throws.js': "throw new Error('the host script broke before the engine loaded');\n",
  // ... and after it: the worker lives on, and answers
  'throws-after.js': "import './worker.js';\nthrow new Error('the host script broke after the engine loaded');\n",
  // the app's own messages: it echoes some, closes the worker or throws on command
  'host.js': [
    "import './worker.js';",
    "self.addEventListener('message', (e) => {",
    "  if (e.data === 'close') close();",
    "  if (e.data === 'throw') throw new Error('the host script failed on its own message');",
    "  if (e.data?.type === 'echo') postMessage({ type: 'echo', id: e.data.id, kind: 'loaded' });",
    '});',
    '',
  ].join('\n'),
  // the engine imported lazily: messages that arrive before it listens are dropped
  'late-import.js': "await new Promise((resolve) => setTimeout(resolve, 300));\nawait import('./worker.js');\n",
  // counts the engine's load messages it receives, and says how many when asked
  'count-loads.js': [
    "import './worker.js';",
    'let loads = 0;',
    "self.addEventListener('message', (e) => {",
    "  if (e.data?.kind === 'load') loads++;",
    "  if (e.data === 'loads?') postMessage({ type: 'loads', loads });",
    '});',
    '',
  ].join('\n'),
  // the wrong script: it never answers
  'deaf.js': 'self.onmessage = () => {};\n',
  // a worker built from another version of pranet-wgsl
  'other-version.js': "postMessage({ protocol: 'pranet-wgsl/worker/0', id: 0, kind: 'ready' });\n",
  // a worker without WebGPU
  'no-webgpu.js': "import './hide-webgpu.js';\nimport './worker.js';\n",
  'hide-webgpu.js': "Object.defineProperty(navigator, 'gpu', { value: undefined });\n",
};

export async function openWorkerMisuse(s: Session): Promise<void> {
  const { bundleBrowser } = (await import(pathToFileURL(join(REPO_ROOT, 'tools/build/bundle-web.mjs')).href)) as typeof BundleWeb;
  const dir = join(s.files, 'misuse');
  mkdirSync(dir, { recursive: true });
  await bundleBrowser({ page: join(REPO_ROOT, 'test/browser/harness/worker-misuse-page.ts'), worker: join(REPO_ROOT, 'src/worker.ts') }, dir);
  for (const [name, text] of Object.entries(HOST_SCRIPTS)) writeFileSync(join(dir, name), text);
  writeFileSync(
    join(s.files, 'misuse.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>pranet worker misuse</title><script type="module" src="misuse/page.js"></script>\n',
  );
  await s.page.goto(`${s.url}test-files/misuse.html`);
  await s.page
    .waitForFunction(() => window.workerMisuse !== undefined, undefined, { timeout: 30_000 })
    .catch(() => Promise.reject(new Error('the worker-misuse test page did not start within 30 s (did misuse/page.js load? see the page errors above)')));
}
