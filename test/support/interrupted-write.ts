// A process that writes one large file with writeFileAtomic under the command line's interrupt handling, for
// the signal tests (test/cli-outputs.test.ts): node interrupted-write.js PATH MIB
import { handleInterrupts } from '../../src/cli/interrupt.js';
import { writeFileAtomic } from '../../src/io/files-node.js';

handleInterrupts('write');
const [path, mib] = process.argv.slice(2);
await writeFileAtomic(path!, new Uint8Array(Number(mib) * 2 ** 20));
console.log('done');
