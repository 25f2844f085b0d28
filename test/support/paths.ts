// Where tests find the repository, the shared data and Python.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from this module's place in dist/test/support/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = process.env.PRANET_SHARED ?? resolve(REPO_ROOT, '../shared');
export const KVASIR_TEST = join(SHARED, 'data/polyp/TestDataset/Kvasir');
export const PYTHON = '/usr/bin/python3';
export const CLI = join(REPO_ROOT, 'bin/pranet.js');
