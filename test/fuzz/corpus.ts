// Where the fuzzer keeps the inputs it found failing (replayed by test/fuzz-corpus.test.ts).
import { join } from 'node:path';
import { REPO_ROOT } from './cases.js';

export const CORPUS_DIR = join(REPO_ROOT, 'test/fuzz-corpus');
