// Running the `pranet` command line as a user does, for the tests of its commands.
import { spawnSync } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliRun {
  status: number;
  stdout: string;
  /** without the two warnings Dawn prints on lavapipe ('... artificially reduced ...') */
  stderr: string;
}

/** One of the two warnings Dawn prints on lavapipe ('... artificially reduced ...'), not the command's output. */
export const isDawnNoise = (line: string): boolean => line.includes('artificially reduced');

/** `pranet ...args` in a child process, with `env` added to this one's environment (in folder `cwd`, if given). */
export function runPranet(args: readonly string[], env: Record<string, string> = {}, cwd?: string): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
  if (r.error) throw r.error;
  return {
    status: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr
      .split('\n')
      .filter((l) => !isDawnNoise(l))
      .join('\n'),
  };
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}
