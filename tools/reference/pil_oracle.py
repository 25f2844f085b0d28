#!/usr/bin/python3
"""PIL / NumPy reference data for the io-layer tests (test/io-*.test.ts).

Run with Debian's /usr/bin/python3 (it has PIL, NumPy and torch). Each command writes its inputs and
expected outputs into OUTDIR plus OUTDIR/manifest.json describing them; raw pixel files are plain
row-major bytes, float files little-endian float32.

  resize OUTDIR [REAL_IMAGE ...]   random RGB PNGs (and real images re-saved as PNG), PIL's
                                   resize(BILINEAR) results and the torchvision-style preprocessing
  decode OUTDIR [REAL_JPEG ...]    PNGs of every colour type / bit depth and JPEG variants, with
                                   PIL's convert('RGB') pixels
  postprocess OUTDIR               float32 probability maps and what PraNet's MyTest.py saves for them
  npy-write OUTDIR                 .npy files written by NumPy
  npy-check FILE.npy RAW.f32 ...   loads each .npy with NumPy, compares it with the raw float32 file
  pil-read FILE ...                opens each image with PIL, writes FILE.raw (its pixels), prints modes
  sizes FILE ...                   prints each image's [width, height] as PIL opens it
"""
import json
import struct
import sys
import warnings
import zlib
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

# PIL warns that palette transparency should become RGBA; converting to RGB is exactly what is tested.
warnings.filterwarnings('ignore', message='Palette images with Transparency')

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def write_manifest(out, manifest):
    (out / 'manifest.json').write_text(json.dumps(manifest, indent=1))


# ---------------------------------------------------------------------------------------------- resize

def preprocess_numpy(rgb):
    """torchvision ToTensor + Normalize, step by step in float32 (HWC uint8 -> CHW float32)."""
    x = rgb.astype(np.float32).transpose(2, 0, 1) / np.float32(255)
    mean = np.array(MEAN, dtype=np.float32)[:, None, None]
    std = np.array(STD, dtype=np.float32)[:, None, None]
    return (x - mean) / std


def preprocess_torch(rgb):
    """The same with torch ops as torchvision runs them, or None when torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    t = torch.from_numpy(rgb.copy()).permute(2, 0, 1).contiguous().to(torch.float32).div(255)
    mean = torch.as_tensor(MEAN, dtype=torch.float32).view(-1, 1, 1)
    std = torch.as_tensor(STD, dtype=torch.float32).view(-1, 1, 1)
    return t.sub_(mean).div_(std).numpy()


def resize_case(out, name, im, targets, pre_sizes):
    im.save(out / f'{name}.png')
    case = {'name': name, 'png': f'{name}.png', 'width': im.width, 'height': im.height, 'targets': [], 'preprocess': []}
    for (w, h) in targets:
        f = f'{name}_to_{w}x{h}.rgb'
        (out / f).write_bytes(im.resize((w, h), Image.BILINEAR).tobytes())
        case['targets'].append({'width': w, 'height': h, 'rgb': f})
    for s in pre_sizes:
        rgb = np.asarray(im.resize((s, s), Image.BILINEAR), dtype=np.uint8)
        ref = preprocess_numpy(rgb)
        f = f'{name}_pre{s}.f32'
        (out / f).write_bytes(ref.astype('<f4').tobytes())
        t = preprocess_torch(rgb)
        case['preprocess'].append({'size': s, 'f32': f, 'torch_equal': None if t is None else bool(np.array_equal(t, ref))})
    return case


# Preprocessing at sizes other than 352, for a few cases.
PRE_EXTRA = {(500, 574): [64], (1, 1): [16]}


def cmd_resize(out, real):
    rng = np.random.default_rng(352)
    # (width, height, extra targets); every case is also resized to 352x352. The extra targets cover
    # one skipped pass each way, non-square outputs and up/down mixes.
    specs = [(288, 384, []), (384, 288, []), (966, 1225, []), (500, 574, [(100, 200)]), (300, 300, []),
             (352, 352, [(352, 100), (100, 352)]), (200, 150, [(200, 352)]), (352, 500, []), (1, 1, [(3, 2)]),
             (7, 3, [(5, 9)]), (1920, 1072, [])]
    cases = []
    for (w, h, extra) in specs:
        im = Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), 'RGB')
        cases.append(resize_case(out, f'rand_{w}x{h}', im, [(352, 352)] + extra, [352] + PRE_EXTRA.get((w, h), [])))
    for p in real:
        im = Image.open(p).convert('RGB')
        cases.append(resize_case(out, 'real_' + Path(p).stem, im, [(352, 352)], [352]))
    write_manifest(out, {'resize': cases})


# ---------------------------------------------------------------------------------------------- decode

def png_chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)


def pack_row(samples, depth):
    if depth == 16:
        return samples.astype('>u2').tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    bits = np.unpackbits(samples.astype(np.uint8)[:, None], axis=1)[:, 8 - depth:]
    return np.packbits(bits.reshape(-1)).tobytes()


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_row(kind, row, prev, bpp):
    """PNG filter `kind` (0..4) applied to one scanline, given the previous unfiltered one."""
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev is not None else 0
        c = prev[i - bpp] if prev is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (x - pred) & 255
    return bytes([kind]) + bytes(out)


ADAM7 = [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)]


def write_png(samples, ctype, depth, plte=None, trns=None, interlace=False, idat_parts=1):
    """A PNG written by hand (PIL cannot write 16-bit colour or sub-byte depths), filters cycling 0..4."""
    h, w = samples.shape[:2]
    s = samples.reshape(h, w, -1)
    bpp = max(1, s.shape[2] * depth // 8)
    passes = [s[y0::dy, x0::dx] for (y0, x0, dy, dx) in ADAM7] if interlace else [s]
    raw, k = b'', 0
    for sub in passes:
        prev = None
        for r in sub:
            if r.size == 0:
                continue
            packed = pack_row(r.reshape(-1), depth)
            raw += filter_row(k % 5, packed, prev, bpp)
            prev, k = packed, k + 1
    z = zlib.compress(raw)
    cut = [len(z) * i // idat_parts for i in range(idat_parts + 1)]
    out = b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, int(interlace)))
    if plte is not None:
        out += png_chunk(b'PLTE', bytes(plte))
    if trns is not None:
        out += png_chunk(b'tRNS', bytes(trns))
    for i in range(idat_parts):
        out += png_chunk(b'IDAT', z[cut[i]:cut[i + 1]])
    return out + png_chunk(b'IEND', b'')


def pil_png_cases(rng):
    """(name, bytes, check_alpha) for PNGs PIL writes itself."""
    def saved(im, **kw):
        b = BytesIO()
        im.save(b, 'PNG', **kw)
        return b.getvalue()
    rgb = Image.fromarray(rng.integers(0, 256, (23, 37, 3), dtype=np.uint8), 'RGB')
    pal = rgb.convert('P', palette=Image.ADAPTIVE, colors=200)
    g16 = rng.integers(0, 65536, (19, 29)).astype(np.uint16)
    g16[0, :6] = [0, 1, 254, 255, 256, 65535]
    return [
        ('pil_L', saved(Image.fromarray(rng.integers(0, 256, (23, 37), dtype=np.uint8), 'L')), True),
        ('pil_LA', saved(Image.fromarray(rng.integers(0, 256, (23, 37, 2), dtype=np.uint8), 'LA')), True),
        ('pil_P', saved(pal), True),
        ('pil_P_transparency', saved(pal, transparency=bytes(rng.integers(0, 256, 200, dtype=np.uint8))), True),
        ('pil_RGB', saved(rgb), True),
        ('pil_RGBA', saved(Image.fromarray(rng.integers(0, 256, (23, 37, 4), dtype=np.uint8), 'RGBA')), True),
        ('pil_I16', saved(Image.fromarray(g16, 'I;16')), False),
        ('pil_1', saved(Image.fromarray(rng.integers(0, 2, (23, 37), dtype=np.uint8) * 255, 'L').convert('1')), True),
    ]


def hand_png_cases(rng):
    """(name, bytes, check_alpha) for PNGs written by write_png. Alpha is compared for 8-bit-or-less tRNS only:
    PIL compares a 16-bit tRNS colour with its 8-bit pixels, unlike the PNG spec."""
    def r(hi, *shape):
        return rng.integers(0, hi, shape)
    plte = rng.integers(0, 256, 3 * 16).tolist()
    cases = [
        ('hand_rgb16', write_png(r(65536, 13, 17, 3), 2, 16), True),
        ('hand_rgba16', write_png(r(65536, 13, 17, 4), 6, 16), True),
        ('hand_la16', write_png(r(65536, 13, 17, 2), 4, 16), True),
        ('hand_gray16_small', write_png(r(300, 13, 17), 0, 16), False),
        ('hand_gray1', write_png(r(2, 11, 13), 0, 1), True),
        ('hand_gray2', write_png(r(4, 11, 13), 0, 2), True),
        ('hand_gray4', write_png(r(16, 11, 13), 0, 4), True),
        ('hand_pal1', write_png(r(2, 11, 13), 3, 1, plte=plte[:6]), True),
        ('hand_pal2', write_png(r(4, 11, 13), 3, 2, plte=plte[:12], trns=[0, 77]), True),
        ('hand_pal4', write_png(r(16, 11, 13), 3, 4, plte=plte), True),
        ('hand_pal8_short_palette', write_png(r(256, 11, 13), 3, 8, plte=plte[:30]), True),
        ('hand_gray8_trns', write_png(r(4, 11, 13) * 60, 0, 8, trns=[0, 120]), True),
        ('hand_rgb8_trns', write_png(r(2, 11, 13, 3) * 255, 2, 8, trns=[0, 255, 0, 0, 0, 255]), True),
        ('hand_rgb8_multi_idat', write_png(r(256, 31, 29, 3), 2, 8, idat_parts=4), True),
        ('hand_interlaced_rgb8', write_png(r(256, 13, 17, 3), 2, 8, interlace=True), True),
        ('hand_interlaced_rgba16', write_png(r(65536, 13, 17, 4), 6, 16, interlace=True), True),
        ('hand_interlaced_gray2', write_png(r(4, 13, 17), 0, 2, interlace=True), True),
        ('hand_interlaced_pal4', write_png(r(16, 13, 17), 3, 4, plte=plte, interlace=True), True),
        ('hand_interlaced_gray16', write_png(r(65536, 5, 3), 0, 16, interlace=True), False),
    ]
    return cases


def jpeg_segments(data):
    """Splits a JPEG into (marker, whole segment bytes) up to SOS, then the rest as one piece."""
    segs, pos = [], 2
    while True:
        marker = data[pos + 1]
        length = struct.unpack('>H', data[pos + 2:pos + 4])[0]
        if marker == 0xDA:
            return segs, data[pos:]
        segs.append((marker, data[pos:pos + 2 + length]))
        pos += 2 + length


def jpeg_edit(data, drop_jfif=False, rgb_ids=False, adobe=None):
    """Marker surgery on a PIL JPEG: no JFIF, component ids 'R','G','B', or an Adobe APP14 segment."""
    segs, rest = jpeg_segments(data)
    out = b'\xff\xd8'
    if adobe is not None:
        out += b'\xff\xee' + struct.pack('>H', 14) + b'Adobe' + struct.pack('>HHHB', 100, 0, 0, adobe)
    for marker, seg in segs:
        if drop_jfif and marker == 0xE0:
            continue
        if rgb_ids and marker == 0xC0:
            seg = bytearray(seg)
            for i, cid in enumerate(b'RGB'):
                seg[10 + 3 * i] = cid
            seg = bytes(seg)
        out += seg
    if rgb_ids:
        rest = bytearray(rest)
        for i, cid in enumerate(b'RGB'):
            rest[5 + 2 * i] = cid
        rest = bytes(rest)
    return out + rest


def jpeg_cases(rng, real):
    """(name, bytes) JPEG variants of a real crop (if given) and a synthetic image with sharp colour edges."""
    def saved(im, **kw):
        b = BytesIO()
        im.save(b, 'JPEG', **kw)
        return b.getvalue()
    yy, xx = np.mgrid[0:53, 0:77]
    synth = np.stack([(xx * 3) % 256, (yy * 5) % 256, ((xx // 9 + yy // 7) % 2) * 255], axis=2)
    synth = np.clip(synth + rng.integers(-20, 21, synth.shape), 0, 255).astype(np.uint8)
    contents = [('synth', Image.fromarray(synth, 'RGB'))]
    if real:
        contents.append(('crop', Image.open(real[0]).convert('RGB').crop((101, 87, 232, 184))))
    cases = []
    for tag, im in contents:
        base = saved(im, quality=90)
        cases += [
            (f'{tag}_baseline420', base),
            (f'{tag}_baseline422', saved(im, quality=90, subsampling=1)),
            (f'{tag}_baseline444', saved(im, quality=90, subsampling=0)),
            (f'{tag}_progressive420', saved(im, quality=90, progressive=True)),
            (f'{tag}_optimized_q75', saved(im, quality=75, optimize=True)),
            (f'{tag}_gray', saved(im.convert('L'), quality=90)),
            (f'{tag}_gray_progressive', saved(im.convert('L'), quality=90, progressive=True)),
            (f'{tag}_cmyk', saved(im.convert('CMYK'), quality=90)),
            (f'{tag}_no_jfif', jpeg_edit(base, drop_jfif=True)),
            (f'{tag}_rgb_ids', jpeg_edit(base, drop_jfif=True, rgb_ids=True)),
            (f'{tag}_adobe0', jpeg_edit(base, drop_jfif=True, adobe=0)),
            (f'{tag}_adobe1', jpeg_edit(base, drop_jfif=True, adobe=1)),
            (f'{tag}_adobe0_jfif', jpeg_edit(base, adobe=0)),
        ]
    return cases


def cmd_decode(out, real):
    rng = np.random.default_rng(8)
    pngs = []
    for name, data, check_alpha in pil_png_cases(rng) + hand_png_cases(rng):
        (out / f'{name}.png').write_bytes(data)
        im = Image.open(BytesIO(data))
        (out / f'{name}.rgb').write_bytes(im.convert('RGB').tobytes())
        case = {'name': name, 'file': f'{name}.png', 'mode': im.mode, 'width': im.width, 'height': im.height, 'rgb': f'{name}.rgb'}
        if check_alpha:
            (out / f'{name}.alpha').write_bytes(im.convert('RGBA').getchannel('A').tobytes())
            case['alpha'] = f'{name}.alpha'
        pngs.append(case)
    rejected = [('hand_interlaced_gray1', write_png(rng.integers(0, 2, (13, 17)), 0, 1, interlace=True))]
    for name, data in rejected:
        (out / f'{name}.png').write_bytes(data)
    jpegs = []
    for name, data in jpeg_cases(rng, real):
        (out / f'{name}.jpg').write_bytes(data)
        im = Image.open(BytesIO(data))
        (out / f'{name}.rgb').write_bytes(im.convert('RGB').tobytes())
        jpegs.append({'name': name, 'file': f'{name}.jpg', 'mode': im.mode, 'width': im.width, 'height': im.height, 'rgb': f'{name}.rgb'})
    real_jpegs = []
    for p in real:
        im = Image.open(p)
        name = Path(p).stem
        (out / f'real_{name}.rgb').write_bytes(im.convert('RGB').tobytes())
        real_jpegs.append({'name': name, 'path': str(p), 'width': im.width, 'height': im.height, 'rgb': f'real_{name}.rgb'})
    write_manifest(out, {'png': pngs, 'png_rejected': [f'{n}.png' for n, _ in rejected], 'jpeg': jpegs, 'real_jpeg': real_jpegs})


# ----------------------------------------------------------------------------------------- postprocess

def bytescale(data):
    """scipy 1.0 scipy.misc.bytescale with its defaults (docs/pranet.md, Post-processing), as imsave applies it."""
    cmin, cmax = data.min(), data.max()
    cscale = cmax - cmin
    if cscale == 0:
        cscale = 1
    scale = float(255 - 0) / cscale
    bytedata = (data - cmin) * scale + 0
    return (bytedata.clip(0, 255) + 0.5).astype(np.uint8)


def cmd_postprocess(out):
    rng = np.random.default_rng(18)
    maps = {
        'sigmoid_37x53': 1 / (1 + np.exp(-rng.normal(0, 4, (37, 53)))),
        'narrow_range': 0.5 + rng.random((20, 30)) * 1e-3,
        'saturated': np.where(rng.random((25, 25)) < 0.5, 1.0, 0.9999),
        'constant': np.full((8, 9), 0.25),
        'uniform_grid': np.arange(0, 1021, dtype=np.float64).reshape(1, -1) / 1020,
    }
    cases = []
    for name, m in maps.items():
        p = m.astype(np.float32)
        # MyTest.py: res = (res - res.min()) / (res.max() - res.min() + 1e-8), then imsave -> bytescale.
        norm = (p - p.min()) / (p.max() - p.min() + 1e-8)
        (out / f'{name}.f32').write_bytes(p.astype('<f4').tobytes())
        (out / f'{name}.norm.f32').write_bytes(norm.astype('<f4').tobytes())
        (out / f'{name}.u8').write_bytes(bytescale(norm).tobytes())
        cases.append({'name': name, 'count': int(p.size), 'prob': f'{name}.f32', 'norm': f'{name}.norm.f32', 'u8': f'{name}.u8'})
    write_manifest(out, {'postprocess': cases})


# ------------------------------------------------------------------------------------------------- npy

def cmd_npy_write(out):
    rng = np.random.default_rng(5)
    arrays = {
        'f4_3d': rng.normal(size=(2, 3, 4)).astype('<f4'),
        'f8_2d': rng.normal(size=(3, 5)).astype('<f8'),
        'f4_1d': rng.normal(size=(7,)).astype('<f4'),
        'f4_scalar': np.array(1.5, dtype='<f4'),
        'f4_empty': np.zeros((0, 3), dtype='<f4'),
        'f4_special': np.array([0.0, -0.0, np.inf, -np.inf, 1e-45, 3.4028235e38], dtype='<f4'),
    }
    bad = {
        'bad_fortran': np.asfortranarray(rng.normal(size=(3, 4)).astype('<f4')),
        'bad_big_endian': rng.normal(size=(4,)).astype('>f4'),
        'bad_int32': np.arange(4, dtype='<i4'),
    }
    cases = []
    for name, a in {**arrays, **bad}.items():
        np.save(out / f'{name}.npy', a)
        if name in arrays:
            (out / f'{name}.raw').write_bytes(a.astype(a.dtype.newbyteorder('<')).tobytes())
            cases.append({'name': name, 'npy': f'{name}.npy', 'raw': f'{name}.raw', 'dtype': a.dtype.str, 'shape': list(a.shape)})
    write_manifest(out, {'npy': cases, 'bad': [f'{n}.npy' for n in bad]})


def cmd_npy_check(args):
    results = []
    for npy, raw in zip(args[0::2], args[1::2]):
        a = np.load(npy, allow_pickle=False)
        ref = np.frombuffer(Path(raw).read_bytes(), dtype='<f4')
        data_offset = len(Path(npy).read_bytes()) - a.nbytes
        results.append({'file': npy, 'dtype': a.dtype.str, 'shape': list(a.shape), 'fortran': bool(np.isfortran(a) and a.ndim > 1),
                        'data_offset': data_offset, 'equal': bool(np.array_equal(a.reshape(-1).view('<u4'), ref.view('<u4')))})
    print(json.dumps(results))


def cmd_pil_read(files):
    results = []
    for f in files:
        im = Image.open(f)
        im.load()
        Path(f + '.raw').write_bytes(im.tobytes())
        results.append({'file': f, 'mode': im.mode, 'width': im.width, 'height': im.height})
    print(json.dumps(results))


def cmd_sizes(files):
    print(json.dumps([list(Image.open(f).size) for f in files]))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, rest = argv[1], argv[2:]
    if cmd in ('resize', 'decode', 'postprocess', 'npy-write'):
        out = Path(rest[0])
        out.mkdir(parents=True, exist_ok=True)
        {'resize': lambda: cmd_resize(out, rest[1:]), 'decode': lambda: cmd_decode(out, rest[1:]),
         'postprocess': lambda: cmd_postprocess(out), 'npy-write': lambda: cmd_npy_write(out)}[cmd]()
    elif cmd == 'npy-check':
        cmd_npy_check(rest)
    elif cmd == 'pil-read':
        cmd_pil_read(rest)
    elif cmd == 'sizes':
        cmd_sizes(rest)
    else:
        sys.exit(f'unknown command {cmd!r}\n{__doc__}')


if __name__ == '__main__':
    main(sys.argv)
