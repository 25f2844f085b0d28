// The sweep's table as text, for the Node and the browser tools alike.
import type { AdapterSummary } from '../../src/gpu/context.js';

/**
 * Prints each contestant's median whole-pass ms and its time relative to the tuning table, or to the defaults
 * where there is no table or the table chose them (then they are the same policy, run once).
 */
export function printSweep(adapter: AdapterSummary, passMs: Record<string, number>, chosen?: string): void {
  const reference = passMs['tuning table'] ?? passMs.defaults!;
  const best = Math.min(
    ...Object.entries(passMs)
      .filter(([n]) => n.startsWith('every conv'))
      .map(([, ms]) => ms),
  );
  console.log(
    `Adapter: ${adapter.description || adapter.device} (${[adapter.vendor, adapter.backend].filter((s) => s !== '').join(', ')})${chosen ? `; the table chose: ${chosen}` : ''}`,
  );
  console.log(`${'whole forward pass, median'.padEnd(72)}      ms   vs ${passMs['tuning table'] === undefined ? 'defaults' : 'table'}`);
  for (const [name, ms] of Object.entries(passMs).sort((a, b) => a[1] - b[1])) {
    console.log(`  ${name.padEnd(70)} ${ms.toFixed(0).padStart(7)}   ${(ms / reference).toFixed(2)}x`);
  }
  const judged = passMs['tuning table'] === undefined ? (chosen === undefined ? 'the defaults' : 'the table (it chose the defaults)') : 'the table';
  const vsDefaults = passMs['tuning table'] === undefined ? '' : ` the defaults' ${(reference / passMs.defaults!).toFixed(3)}x;`;
  console.log(`${judged}: time of a pass, as a multiple of${vsDefaults} the best forced tiling's ${(reference / best).toFixed(3)}x`);
}
