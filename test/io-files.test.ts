// Node file helpers: listing, reading with named errors, atomic writes.
import { expect } from 'chai';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listImages, readImageFile, writeFileAtomic } from '../src/io/files-node.js';
import { ImageDecodeError } from '../src/io/image.js';
import { encodePng } from '../src/io/png-encode.js';

describe('io: Node file helpers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pranet-io-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('listImages: .png/.jpg/.jpeg in any case, files only, sorted by code point', async () => {
    for (const f of ['b.jpg', 'a.PNG', 'C.jpeg', 'd.txt', 'e.gif', 'f.JPG', 'a.png.bak', '10.png', '9.png']) writeFileSync(join(dir, f), '');
    mkdirSync(join(dir, 'folder.png'));
    symlinkSync(join(dir, 'b.jpg'), join(dir, 'link.jpg'));
    symlinkSync(join(dir, 'gone.png'), join(dir, 'dangling.png'));
    const got = await listImages(dir);
    expect(got).to.deep.equal(['10.png', '9.png', 'C.jpeg', 'a.PNG', 'b.jpg', 'f.JPG', 'link.jpg'].map((f) => join(dir, f)));
    // A name that is not UTF-8 cannot be named back as a string path: an error saying so, not 'no such file' later.
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/x`), Buffer.of(0xff), Buffer.from('y.png')]), '');
    let err: Error | undefined;
    await listImages(dir).catch((e: Error) => (err = e));
    expect(err?.message).to.equal(`${dir}: the file name 'x\uFFFDy.png' is not valid UTF-8 (shown with U+FFFD); rename the file`);
  });

  it('readImageFile decodes, and its errors name the path', async () => {
    const good = join(dir, 'm.png');
    writeFileSync(good, encodePng(new Uint8Array([0, 255]), 2, 1));
    const img = await readImageFile(good);
    expect(Array.from(img.data)).to.deep.equal([0, 0, 0, 255, 255, 255, 255, 255]);
    const bad = join(dir, 'bad.jpg');
    writeFileSync(bad, 'not an image');
    let err: unknown;
    await readImageFile(bad).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ImageDecodeError);
    expect((err as Error).message).to.equal(`${bad}: not a PNG or JPEG file (starts with 6e 6f 74 20 61 6e 20 69)`);
  });

  it('writeFileAtomic writes and replaces whole files and leaves no temporary file', async () => {
    const p = join(dir, 'out.png');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(p, new Uint8Array([4, 5]));
    expect(Array.from(readFileSync(p))).to.deep.equal([4, 5]);
    expect(readdirSync(dir)).to.deep.equal(['out.png']);
  });

  it('writeFileAtomic takes names up to the 255-byte limit (its temporary name beside them is cut to fit)', async () => {
    for (const name of [`${'x'.repeat(251)}.csv`, `${'é'.repeat(125)}.csv`]) {
      expect(Buffer.byteLength(name)).to.be.within(254, 255);
      await writeFileAtomic(join(dir, name), new Uint8Array([7]));
      expect(Array.from(readFileSync(join(dir, name)))).to.deep.equal([7]);
    }
    expect(readdirSync(dir)).to.have.length(2);
  });

  it('writeFileAtomic: a failed write throws, keeps the target as it was, and cleans up', async () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x');
    let err: unknown;
    await writeFileAtomic(target, new Uint8Array([1])).catch((e: unknown) => (err = e));
    expect(err, 'renaming over a non-empty folder must fail').to.be.instanceOf(Error);
    expect(readdirSync(dir)).to.deep.equal(['taken']);
    expect(readdirSync(target)).to.deep.equal(['inside']);
    let err2: unknown;
    await writeFileAtomic(join(dir, 'missing', 'x.png'), new Uint8Array([1])).catch((e: unknown) => (err2 = e));
    expect((err2 as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });

  it('writeFileAtomic replaces only regular files: writes into /dev/null and FIFOs, refuses symbolic links and read-only files', async () => {
    const message = (p: string) =>
      writeFileAtomic(p, new Uint8Array([1])).then(
        () => 'written',
        (e: Error) => e.message,
      );
    // Through a link of our own: a writer that replaced what it is given would replace the link, not /dev/null.
    const devNull = join(dir, 'null');
    symlinkSync('/dev/null', devNull);
    expect(await message(devNull)).to.equal('written');
    expect(lstatSync(devNull).isSymbolicLink(), 'the link to /dev/null is still a link').to.equal(true);

    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString('hex')));
    const ended = new Promise((resolve) => reader.on('close', resolve));
    await writeFileAtomic(fifo, new Uint8Array([0xab, 0xcd]));
    await ended;
    expect(got).to.equal('abcd');
    expect(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO').to.equal(true);

    const target = join(dir, 'target.json');
    writeFileSync(target, 'old');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    expect(await message(link)).to.equal(`${link}: cannot write: it is a symbolic link, which pranet does not replace; name the file it points to`);
    expect(lstatSync(link).isSymbolicLink()).to.equal(true);
    expect(readFileSync(target, 'utf8')).to.equal('old');

    // Refused for root too (whom access() lets write anything): the mode bits say read-only.
    chmodSync(target, 0o444);
    expect(await message(target)).to.equal(`${target}: cannot write: the file is read-only (permission denied)`);
    expect(readFileSync(target, 'utf8')).to.equal('old');
    expect(readdirSync(dir).sort()).to.deep.equal(['link.json', 'null', 'pipe', 'target.json']);
  });
});
