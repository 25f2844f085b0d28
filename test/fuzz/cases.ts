// One fuzz case from (run seed, case index): a valid seed file of one of six kinds, mutated at its own
// structure's level (checkpoint tensors, pickle opcodes, JSON headers, container fields, PNG chunks, JPEG
// segments) and then, sometimes, byte by byte. Deterministic, so a case is remade from its numbers alone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutateBytes } from './bytes-mutate.js';
import { type Checkpoint, checkpointOf, microStateDict, mutateCheckpoint } from './checkpoint-model.js';
import { pnwHeader, safetensorsHeader, stateDictPickle, type Written, writeLegacy, writePnw, writeSafetensors, writeZip } from './checkpoint-write.js';
import { mutateField } from './fields.js';
import { mutateJpeg, mutatePng } from './image-mutate.js';
import { type Json, mutateJson } from './json-mutate.js';
import { mutatePickle } from './pickle-mutate.js';
import { caseSeed, Rand } from './rand.js';

export const KINDS = ['png', 'jpeg', 'pth-legacy', 'pth-zip', 'safetensors', 'pnw'] as const;
export type Kind = (typeof KINDS)[number];
export const EXTENSION: Record<Kind, string> = { png: 'png', jpeg: 'jpg', 'pth-legacy': 'pth', 'pth-zip': 'pth', safetensors: 'safetensors', pnw: 'pnw' };
export const isImage = (k: Kind): boolean => k === 'png' || k === 'jpeg';

export interface FuzzCase {
  index: number;
  kind: Kind;
  bytes: Uint8Array;
  /** the mutations, in order, for the report */
  recipe: string[];
}

/** The repository root, from this module's place in dist/test/fuzz/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SEED_DIR = join(REPO_ROOT, 'test/fuzz/seeds');

interface Seeds {
  png: Uint8Array[];
  jpeg: Uint8Array[];
  /** PyTorch's form (batchnorm statistics) and the folded form */
  checkpoints: Checkpoint[];
}

let seeds: Seeds | undefined;
function loadSeeds(): Seeds {
  if (seeds) return seeds;
  const files = readdirSync(SEED_DIR).sort();
  const read = (ext: RegExp) => files.filter((f) => ext.test(f)).map((f) => new Uint8Array(readFileSync(join(SEED_DIR, f))));
  seeds = { png: read(/\.png$/), jpeg: read(/\.jpg$/), checkpoints: [checkpointOf(microStateDict(false)), checkpointOf(microStateDict(true))] };
  return seeds;
}

function imageCase(r: Rand, kind: 'png' | 'jpeg', recipe: string[]): Uint8Array {
  const s = loadSeeds();
  const pool = kind === 'png' ? s.png : s.jpeg;
  let bytes = r.pick(pool);
  const steps = r.int(1, 4);
  for (let i = 0; i < steps; i++) {
    const m = r.chance(0.75) ? (kind === 'png' ? mutatePng(r, bytes) : mutateJpeg(r, bytes)) : mutateBytes(r, bytes, r.pick(pool));
    bytes = m.bytes;
    recipe.push(m.what);
  }
  return bytes;
}

function checkpointCase(r: Rand, kind: Exclude<Kind, 'png' | 'jpeg'>, recipe: string[]): Uint8Array {
  const ck = structuredClone(r.pick(loadSeeds().checkpoints));
  ck.wrapped = r.chance(0.1);
  for (let i = r.int(0, 3); i > 0; i--) recipe.push(mutateCheckpoint(r, ck));
  let written: Written;
  if (kind === 'pth-legacy' || kind === 'pth-zip') {
    let pickle = stateDictPickle(ck, kind === 'pth-zip' ? 'zip' : 'legacy');
    for (let i = r.chance(0.4) ? r.int(1, 2) : 0; i > 0; i--) {
      const m = mutatePickle(r, pickle);
      pickle = m.bytes;
      recipe.push(`pickle: ${m.what}`);
    }
    written = kind === 'pth-zip' ? writeZip(r, ck, pickle) : writeLegacy(ck, pickle);
  } else {
    const { header, data } = kind === 'pnw' ? pnwHeader(ck) : safetensorsHeader(ck);
    for (let i = r.chance(0.5) ? r.int(1, 2) : 0; i > 0; i--) recipe.push(`header: ${mutateJson(r, header as Json)}`);
    written = kind === 'pnw' ? writePnw(header, data) : writeSafetensors(header, data);
  }
  let bytes = written.bytes;
  if (r.chance(0.4)) recipe.push(mutateField(r, bytes, written.fields));
  if (r.chance(0.25)) {
    const m = mutateBytes(r, bytes, bytes);
    bytes = m.bytes;
    recipe.push(m.what);
  }
  return bytes;
}

export function makeCase(runSeed: number, index: number): FuzzCase {
  const r = new Rand(caseSeed(runSeed, index));
  const kind = r.pick(KINDS);
  const recipe: string[] = [];
  const bytes = kind === 'png' || kind === 'jpeg' ? imageCase(r, kind, recipe) : checkpointCase(r, kind, recipe);
  return { index, kind, bytes, recipe };
}
