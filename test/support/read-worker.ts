// A child process for tests that watch a weights reader from outside: its peak memory, or a hang or crash
// that would take the test runner down. Usage: node read-worker.js pth|convert FILE; prints one JSON line.
import { readFileSync, writeFileSync } from 'node:fs';
import { convertCheckpoint } from '../../src/models/convert.js';
import { readPth } from '../../src/weights/index.js';

/** A field of /proc/self/status in bytes, or null (not Linux). Not getrusage's maxRSS: exec keeps it, so a
 * child would start with its parent's peak. */
function status(field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const kib = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return kib ? Number(kib[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Starts peak tracking here: resets VmHWM to the current RSS where Linux allows it; returns the baseline. */
function resetPeak(): number | null {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return status('VmRSS');
  } catch {
    return status('VmHWM');
  }
}

const [how, file] = process.argv.slice(2) as [string, string];
const buffer = readFileSync(file);
const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength); // no second copy
const before = resetPeak();
let error: string | undefined;
try {
  if (how === 'pth') readPth(bytes, file);
  else convertCheckpoint(bytes, { source: file });
} catch (e) {
  error = (e as Error).message;
}
const after = status('VmHWM');
console.log(JSON.stringify({ error, peakGrowthBytes: before === null || after === null ? null : after - before }));
