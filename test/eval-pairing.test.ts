// Pairing maps, masks and images by base name (src/cli/eval/pairing.ts): no files needed, only names.
import { expect } from 'chai';
import { pairByBaseName } from '../src/cli/eval/pairing.js';

const set = (what: string, dir: string, names: string[]) => ({ what, dir, files: names.map((n) => `${dir}/${n}`) });

describe('eval: pairing by base name', () => {
  it("pairs across extensions in the first set's order, whatever the other sets' order", () => {
    const pairs = pairByBaseName([set('map', '/p', ['b.png', 'a.png', 'c.PNG']), set('mask', '/g', ['a.jpg', 'c.jpeg', 'b.png'])]);
    expect(pairs).to.deep.equal([
      { name: 'b', paths: ['/p/b.png', '/g/b.png'] },
      { name: 'a', paths: ['/p/a.png', '/g/a.jpg'] },
      { name: 'c', paths: ['/p/c.PNG', '/g/c.jpeg'] },
    ]);
  });

  it('keeps everything but the last extension in the name', () => {
    const pairs = pairByBaseName([set('map', '/p', ['x.mask.png']), set('mask', '/g', ['x.mask.jpg'])]);
    expect(pairs[0]!.name).to.equal('x.mask');
  });

  it('pairs three sets', () => {
    const pairs = pairByBaseName([set('map', '/p', ['a.png']), set('mask', '/g', ['a.jpg']), set('image', '/i', ['a.jpg'])]);
    expect(pairs).to.deep.equal([{ name: 'a', paths: ['/p/a.png', '/g/a.jpg', '/i/a.jpg'] }]);
  });

  it('reports strays of both sides in one line, with counts, sorted names and "... and N more"', () => {
    const maps = ['a.png', 'b.png', 'z.png'];
    const masks = ['a.jpg', 'b.jpg', ...Array.from({ length: 8 }, (_, i) => `m${7 - i}.jpg`)];
    expect(() => pairByBaseName([set('map', '/p', maps), set('mask', '/g', masks)])).to.throw(
      'unpaired files (pairing is by base name): no map in /p for 8 masks: m0.jpg, m1.jpg, m2.jpg, m3.jpg, m4.jpg, ... and 3 more; ' +
        'no mask in /g for 1 map: z.png',
    );
  });

  it('says "file" when the strays come from two kinds of set', () => {
    const run = () => pairByBaseName([set('map', '/p', ['a.png', 'b.png']), set('mask', '/g', ['a.jpg', 'c.jpg']), set('image', '/i', ['a.jpg'])]);
    expect(run).to.throw(/no map in \/p for 1 mask: c\.jpg/);
    expect(run).to.throw(/no image in \/i for 2 files: b\.png, c\.jpg/);
  });

  it('refuses two files with the same base name in one folder', () => {
    expect(() => pairByBaseName([set('map', '/p', ['a.jpg', 'a.png']), set('mask', '/g', ['a.jpg'])])).to.throw('/p: a.jpg and a.png have the same base name');
  });
});
