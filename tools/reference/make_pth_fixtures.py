#!/usr/bin/python3
"""Writes small PyTorch checkpoints for the weights-layer tests, plus the values they must decode to.

Usage: /usr/bin/python3 tools/reference/make_pth_fixtures.py OUT_DIR

For each case it writes <case>_legacy.pth (torch.save with _use_new_zipfile_serialization=False, the format
of the official PraNet-19.pth) and <case>_zip.pth (the default zip format), plus plain_zip_deflated.pth (the
zip entries recompressed with zlib's deflate). expected.json maps each file to the state dict a reader must
find in it: a list of {key, dtype, shape, values} in file order, values flattened row-major.
"""
import collections
import json
import os
import sys
import zipfile

import torch

DTYPES = {torch.float32: 'f32', torch.float16: 'f16', torch.bfloat16: 'bf16', torch.float64: 'f64', torch.int64: 'i64'}


def plain_state_dict():
    g = torch.Generator().manual_seed(1234)
    sd = collections.OrderedDict()
    sd['conv.weight'] = torch.randn(4, 3, 3, 3, generator=g)
    for name in ('weight', 'bias', 'running_mean'):
        sd['bn.' + name] = torch.randn(4, generator=g)
    sd['bn.running_var'] = torch.rand(4, generator=g) + 0.5
    sd['bn.num_batches_tracked'] = torch.tensor(1234567)  # 0-dim int64, as BatchNorm saves it
    sd['scalar'] = torch.tensor(-3.25)  # 0-dim float32
    sd['half'] = torch.randn(5, 7, generator=g).half()
    sd['half_special'] = torch.tensor([6e-8, -0.0, 65504.0, -2.0 ** -14, 1.0 / 3.0]).half()  # subnormal, -0, max
    sd['bf16'] = (torch.randn(6, generator=g) * 1000).bfloat16()
    sd['double'] = torch.randn(2, 3, dtype=torch.float64, generator=g)
    sd['long'] = torch.tensor([-3, 0, 2 ** 40, -(2 ** 50), 7])
    base = torch.randn(5, 6, generator=g)
    sd['base'] = base
    sd['transposed'] = base.t()  # stride (1, 6): non-contiguous view of the same storage
    sd['rows'] = base[2:]  # storage_offset 12
    sd['block'] = base[1:4, 2:5]  # offset 8, stride (6, 1)
    sd['strided'] = base[::2, ::3]  # stride (12, 3)
    sd['half_view'] = torch.randn(4, 6, generator=g).half().t()[1:]  # f16, offset 1, stride (1, 6)
    sd['expanded'] = torch.randn(3, 1, generator=g).expand(3, 4)  # stride (1, 0)
    sd['empty'] = torch.zeros(0, 3)
    sd['param'] = torch.nn.Parameter(torch.randn(3, generator=g))
    sd['large'] = torch.randn(70, 301, generator=g)  # 84 KB: more than one 64 KiB inflate output chunk when deflated
    for i in range(40):  # enough memo entries to need LONG_BINPUT / LONG_BINGET
        sd[f'many.{i}.weight'] = torch.randn(2, generator=g)
    sd._metadata = collections.OrderedDict([('', {'version': 1}), ('bn', {'version': 2})])
    return sd


def trained_model():
    torch.manual_seed(7)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 8, 8)).sum().backward()  # a training step: BN running stats and momentum buffers
    opt.step()
    return model, opt


def cases():
    sd = plain_state_dict()
    small = collections.OrderedDict((k, sd[k]) for k in ('conv.weight', 'bn.weight', 'bn.num_batches_tracked', 'block'))
    model, opt = trained_model()
    module_sd = torch.nn.DataParallel(model).state_dict()  # keys 'module.0.weight', ...
    return {
        'plain': (sd, sd),
        'wrapped': ({'state_dict': small, 'epoch': 3, 'arch': 'PraNet', 'best_dice': 0.875}, small),
        'module': (module_sd, module_sd),
        'model_opt': ({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 7}, model.state_dict()),
    }


def expected(sd):
    out = []
    for key, t in sd.items():
        t = t.detach()
        values = t.reshape(-1).tolist() if t.dtype in (torch.int64, torch.float64) else t.float().reshape(-1).tolist()
        out.append({'key': key, 'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'values': values})
    return out


def recompress(src, dst):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    result = {}
    for name, (obj, sd) in cases().items():
        for fmt in ('legacy', 'zip'):
            path = os.path.join(out_dir, f'{name}_{fmt}.pth')
            torch.save(obj, path, _use_new_zipfile_serialization=(fmt == 'zip'))
            result[os.path.basename(path)] = expected(sd)
    recompress(os.path.join(out_dir, 'plain_zip.pth'), os.path.join(out_dir, 'plain_zip_deflated.pth'))
    result['plain_zip_deflated.pth'] = result['plain_zip.pth']
    with open(os.path.join(out_dir, 'expected.json'), 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    main()
