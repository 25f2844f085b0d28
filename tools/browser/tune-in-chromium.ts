// `pranet tune` for the browser's adapter, then the sweep that judges the table (as tools/tuning/sweep.ts does
// in Node): headless Chromium (Debian's, WebGPU on; SwiftShader without a GPU) on the demo server, the
// built-in model. Prints the tuner's choice and the sweep's table.
//   node dist/tools/browser/tune-in-chromium.js [--size PX] [--rounds K]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_WEIGHTS_FILE } from '../../src/api/default-weights.js';
import type * as BundleWeb from '../build/bundle-web.mjs';
import { REPO_ROOT } from '../../test/support/paths.js';
import { openSession, withDeadline } from '../../test/browser/support/session.js';
import { printSweep } from '../tuning/print-sweep.js';
import type {} from './tune-page.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '352' }, rounds: { type: 'string', default: '5' } } });
const [size, rounds] = [Number(values.size), Number(values.rounds)];

const session = await openSession({ webgpu: true });
try {
  // Not compiled into dist/: imported from the source tree, as the browser tests do.
  const { bundleBrowser } = (await import(pathToFileURL(join(REPO_ROOT, 'tools/build/bundle-web.mjs')).href)) as typeof BundleWeb;
  await bundleBrowser({ 'tune-page': join(REPO_ROOT, 'tools/browser/tune-page.ts') }, session.files);
  writeFileSync(
    join(session.files, 'tune.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="tune-page.js"></script>\n',
  );
  const page = session.page;
  page.on('console', (m) => {
    if (m.type() === 'log') process.stderr.write(`\r${m.text()}     `);
  });
  await page.goto(`${session.url}test-files/tune.html`);
  await page.waitForFunction(() => window.tuneAndSweep !== undefined, undefined, { timeout: 30_000 });
  const r = await withDeadline(
    page.evaluate(([weights, size, rounds]) => window.tuneAndSweep!(weights, size, rounds), [`${session.url}${DEFAULT_WEIGHTS_FILE}`, size, rounds] as const),
    3_600_000,
    'tuning and the sweep in Chromium',
  );
  process.stderr.write('\n');
  console.log(`Tuned the built-in model at ${size}x${size}: ${r.convs} distinct convs in ${r.tuneSeconds.toFixed(0)} s; the tuner's whole passes (median ms):`);
  for (const [name, ms] of Object.entries(r.tunerPassMs)) console.log(`  ${name === r.chosen ? '*' : ' '} ${name.padEnd(70)} ${ms.toFixed(0)}`);
  printSweep(r.adapter, r.sweepMs, r.chosen);
} finally {
  await session.close();
}
