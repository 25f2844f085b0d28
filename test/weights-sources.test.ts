// Where weight bytes come from: pipes and FIFOs are read to their end (their stat size is 0), every source
// has a size limit, and a failed download names its URL.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWeights } from '../src/models/load-weights.js';
import { fetchBytes } from '../src/weights/fetch-bytes.js';
import { loadSourceBytes } from '../src/weights/index.js';
import { readFileWithProgress } from '../src/weights/read-file-node.js';
import { rejection } from './support/cli.js';

const READER = fileURLToPath(new URL('../src/weights/read-file-node.js', import.meta.url));

describe('weights: reading from files, pipes and URLs', function () {
  this.timeout(30_000);
  let dir = '';
  const payload = Uint8Array.from({ length: 9_000_000 }, (_, i) => (i * 31) & 0xff); // more than two 4 MiB chunks

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pranet-sources-'));
    writeFileSync(join(dir, 'w.bin'), payload);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a FIFO (as process substitution gives) to its end, with progress of unknown total', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    const writer = spawn('sh', ['-c', `cat "${join(dir, 'w.bin')}" > "${fifo}"`]);
    const written = new Promise((resolve) => writer.on('close', resolve));
    const totals = new Set<number | undefined>();
    const got = await loadSourceBytes(fifo, (_loaded, total) => totals.add(total));
    expect(await written).to.equal(0);
    expect(got.length).to.equal(payload.length);
    expect(Buffer.compare(got, payload)).to.equal(0);
    expect(totals.has(undefined)).to.equal(true);
  });

  it('reads /dev/stdin from a pipe to its end', () => {
    const script = `import { readFileWithProgress } from ${JSON.stringify(READER)}; const b = await readFileWithProgress('/dev/stdin'); console.log(b.length, b[8999999]);`;
    // A shell pipe: Node's own spawn would give the child a socket, which /dev/stdin cannot open.
    const run = spawnSync('sh', ['-c', 'cat "$FILE" | "$NODE" --input-type=module -e "$SCRIPT"'], {
      env: { ...process.env, FILE: join(dir, 'w.bin'), NODE: process.execPath, SCRIPT: script },
      encoding: 'utf8',
    });
    expect(run.stderr).to.equal('');
    expect(run.stdout.trim()).to.equal(`${payload.length} ${payload[8_999_999]}`);
  });

  it('refuses a file or an endless stream past the size limit, naming it', async () => {
    expect((await rejection(readFileWithProgress(join(dir, 'w.bin'), undefined, 1 << 20))).message).to.equal(
      `${join(dir, 'w.bin')}: ${payload.length} bytes, more than the limit of 1048576 bytes for a weight file`,
    );
    expect((await rejection(readFileWithProgress('/dev/zero', undefined, 1 << 20))).message).to.equal(
      '/dev/zero: more than the limit of 1048576 bytes for a weight file',
    );
  });

  describe('over HTTP', () => {
    let server: Server;
    let base = '';
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/huge.pth') {
          res.writeHead(200, { 'content-length': String(5 * 2 ** 30) });
          res.flushHeaders();
          setTimeout(() => res.destroy(), 50);
        } else res.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('a refused connection names the URL', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/PraNet-19.pth`;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const err = await rejection(fetchBytes(url));
      expect(err.message).to.match(new RegExp(`^${url.replace(/[.]/g, '\\.')}: download failed: fetch failed \\(.*ECONNREFUSED`));
      expect((await rejection(loadWeights(url))).message.startsWith(`${url}: `)).to.equal(true);
    });

    it('a Content-Length over the limit is refused before allocating, naming the URL', async () => {
      const err = await rejection(fetchBytes(`${base}/huge.pth`));
      expect(err.message).to.match(
        /^http:\/\/127\.0\.0\.1:\d+\/huge\.pth: the server announces 5368709120 bytes, more than the limit of 2147483648 bytes for a weight file$/,
      );
    });
  });
});
