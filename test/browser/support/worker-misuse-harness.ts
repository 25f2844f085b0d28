// Opens the worker-misuse test page: its script, the worker entry (src/worker.ts, as worker.js) and the worker
// scripts of an imagined app around it (HOST_SCRIPTS), side by side in the session's /test-files/misuse/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.js';
import { openTestPage, type Session } from './session.js';
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
  const entries = { page: join(REPO_ROOT, 'test/browser/harness/worker-misuse-page.ts'), worker: join(REPO_ROOT, 'src/worker.ts') };
  // the host scripts beside worker.js, written before the page opens (it starts workers from them)
  const dir = join(s.files, 'misuse');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(HOST_SCRIPTS)) writeFileSync(join(dir, name), text);
  await openTestPage(s, { html: 'misuse.html', title: 'pranet worker misuse', folder: 'misuse', entries, script: 'page', ready: 'workerMisuse' });
}
