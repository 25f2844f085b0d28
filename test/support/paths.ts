// Where tests find the repository, the shared data and Python.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests never read or write the user's tuning tables (--tuning auto looks in $XDG_CACHE_HOME/pranet-wgsl): the
// run gets a cache folder of its own, which the CLI processes the tests start inherit.
export const TEST_CACHE_HOME = mkdtempSync(join(tmpdir(), 'pranet-test-cache-'));
process.env.XDG_CACHE_HOME = TEST_CACHE_HOME;
process.on('exit', () => rmSync(TEST_CACHE_HOME, { recursive: true, force: true }));

/** Repository root, from this module's place in dist/test/support/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shared read-only data next to the repository (support/shared-data.ts says what tests need from it). */
export const SHARED = process.env.PRANET_SHARED ?? resolve(REPO_ROOT, '../shared');
export const KVASIR_TEST = join(SHARED, 'data/polyp/TestDataset/Kvasir');
/** Kvasir training images: make_golden.py calibrates its batchnorm statistics on the first few. */
export const KVASIR_TRAIN_IMAGES = join(SHARED, 'data/polyp/TrainDataset/Kvasir/images');
/** The maps the PraNet authors released for the Kvasir test images. */
export const PRANET_MAPS = join(SHARED, 'data/polyp/PraNet-maps/Kvasir');
/** The official checkpoint's 922 state-dict keys with shapes and dtypes (tools/reference/check_keys.py). */
export const STATE_DICT_KEYS = join(SHARED, 'spec/pranet-state-dict-keys.tsv');
export const PYTHON = '/usr/bin/python3';
export const CLI = join(REPO_ROOT, 'bin/pranet.js');
