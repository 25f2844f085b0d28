// Where the benchmark tools find the repository's Python reference and Python itself.
import { fileURLToPath } from 'node:url';

/** The package root, from this module's place in dist/src/cli/bench/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const REFERENCE_DIR = `${REPO_ROOT}tools/reference`;
/** Debian's Python with python3-torch (another python3 on PATH may lack torch); PRANET_PYTHON overrides. */
export const PYTHON = process.env.PRANET_PYTHON ?? '/usr/bin/python3';
