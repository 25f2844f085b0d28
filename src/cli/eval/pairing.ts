// Matches files from several folders by base name, whatever their extensions (PraNet's maps are .png while
// Kvasir-SEG's masks are .jpg). Anything that does not pair is an error listing the strays.
import { basename, extname } from 'node:path';

export interface FileSet {
  /** what one file is, for messages: 'map', 'mask', 'image' */
  what: string;
  dir: string;
  /** paths of the files, in the order to keep */
  files: readonly string[];
}

export interface PairedName {
  name: string;
  /** one path per set, in the order the sets were given */
  paths: string[];
}

/** Names shown in an error before "... and N more". */
const SHOWN = 5;

export const baseName = (path: string): string => basename(path, extname(path));

function byName(set: FileSet): Map<string, string> {
  const out = new Map<string, string>();
  for (const path of set.files) {
    const name = baseName(path);
    const other = out.get(name);
    if (other !== undefined)
      throw new Error(`${set.dir}: ${basename(other)} and ${basename(path)} have the same base name, so it is unclear which ${set.what} to use`);
    out.set(name, path);
  }
  return out;
}

function listSome(items: readonly string[]): string {
  const more = items.length > SHOWN ? `, ... and ${items.length - SHOWN} more` : '';
  return items.slice(0, SHOWN).join(', ') + more;
}

/**
 * Pairs the first set's files with the others' by base name, in the first set's order. Throws one error
 * (a single line) naming, for each set, how many names it lacks and some of the files that have no partner.
 */
export function pairByBaseName(sets: readonly FileSet[]): PairedName[] {
  const maps = sets.map(byName);
  const problems: string[] = [];
  sets.forEach((set, i) => {
    // Files of the other sets whose name this set lacks, each name reported once, and what kind they are.
    const strays = new Map<string, string>();
    const kinds = new Set<string>();
    maps.forEach((m, j) => {
      if (j === i) return;
      for (const [name, path] of m) {
        if (maps[i]!.has(name) || strays.has(name)) continue;
        strays.set(name, basename(path));
        kinds.add(sets[j]!.what);
      }
    });
    if (strays.size === 0) return;
    const count = `${strays.size} ${kinds.size === 1 ? [...kinds][0] : 'file'}${strays.size === 1 ? '' : 's'}`;
    problems.push(`no ${set.what} in ${set.dir} for ${count}: ${listSome([...strays.values()].sort())}`);
  });
  if (problems.length > 0) throw new Error(`unpaired files (pairing is by base name): ${problems.join('; ')}`);
  return [...maps[0]!].map(([name, path]) => ({ name, paths: [path, ...maps.slice(1).map((m) => m.get(name)!)] }));
}
