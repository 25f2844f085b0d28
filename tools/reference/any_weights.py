"""Any weights the engine runs, as a PyTorch reference model: a .pth (legacy or zip, read with
weights_only=True), a .safetensors, or the engine's own .pnw file (docs/weight-format.md: batchnorm already
folded, f32 or f16). The configuration is read from the tensor shapes, as the engine does, so the benchmark
peers run exactly the network and the values the engine runs.

  from any_weights import load_model
  model = load_model("weights/pranet-kvasir-compact.f16.pnw")   # eval mode
"""
import json
import os
import re
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pranet import PraNet  # noqa: E402
from pranet_config import PraNetConfig  # noqa: E402
from safetensors_io import load_safetensors  # noqa: E402

PNW_MAGIC = b"\x89PNW\r\n\x1a\n"
IGNORED = re.compile(r"(^|\.)num_batches_tracked$|^resnet\.fc\.")


def read_pnw(path):
    """The engine's weight file -> {name: float32 tensor}."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:8] != PNW_MAGIC:
        raise ValueError(f"{path}: not a pranet-wgsl weight file (bad magic)")
    version, header_len = struct.unpack("<II", raw[8:16])
    if version != 1:
        raise ValueError(f"{path}: weight file version {version}, this reader knows version 1")
    header = json.loads(raw[16:16 + header_len])
    start = (16 + header_len + 63) // 64 * 64
    if len(raw) != start + header["dataBytes"]:
        raise ValueError(f"{path}: {len(raw)} bytes, the header says {start + header['dataBytes']}")
    out = {}
    for t in header["tensors"]:
        dtype = {"f32": "<f4", "f16": "<f2"}[t["dtype"]]
        begin = start + t["offset"]
        values = np.frombuffer(raw[begin:begin + t["nbytes"]], dtype=dtype).astype(np.float32)
        out[t["name"]] = torch.from_numpy(values.copy()).reshape(t["shape"])
    return out


def read_state_dict(path):
    """Any supported file -> a plain state dict without the keys the engine ignores."""
    if path.endswith(".pnw"):
        sd = read_pnw(path)
    elif path.endswith(".safetensors"):
        sd = load_safetensors(path)
    else:
        sd = torch.load(path, map_location="cpu", weights_only=True)
        if isinstance(sd, dict) and isinstance(sd.get("state_dict"), dict):
            sd = sd["state_dict"]
    sd = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in sd.items()}
    return {k: v.float() for k, v in sd.items() if not IGNORED.search(k)}


def config_from_state_dict(sd):
    """The topology numbers from the shapes (pranet_config.py); the inverse of split_widths() for base_width."""
    def blocks(layer):
        idx = {int(m.group(1)) for k in sd for m in [re.match(rf"resnet\.layer{layer}\.(\d+)\.", k)] if m}
        return max(idx) + 1
    planes = tuple(sd[f"resnet.layer{i}.0.conv3.weight"].shape[0] // 4 for i in range(1, 5))
    widths = [sd[f"resnet.layer{i}.0.convs.0.weight"].shape[0] for i in range(1, 5)]
    base = [b for b in range(1, 1025) if [p * b // 64 for p in planes] == widths]
    if not base:
        raise ValueError(f"split widths {widths} fit no base_width for planes {planes}")
    scale = 1 + len({k for k in sd if re.match(r"resnet\.layer1\.0\.convs\.\d+\.weight$", k)})
    return PraNetConfig(
        stem=sd["resnet.conv1.0.weight"].shape[0],
        layers=tuple(blocks(i) for i in range(1, 5)),
        planes=planes,
        base_width=base[0],
        scale=scale,
        channel=sd["rfb2_1.branch0.0.conv.weight"].shape[0],
        ra4=sd["ra4_conv1.conv.weight"].shape[0],
        ra3=sd["ra3_conv1.conv.weight"].shape[0],
        ra2=sd["ra2_conv1.conv.weight"].shape[0],
    )


def batchnorm_of(conv):
    """The batchnorm that follows a conv in PraNet's modules (None for the convs that keep their bias)."""
    rules = [(r"^resnet\.conv1\.0$", "resnet.conv1.1"), (r"^resnet\.conv1\.3$", "resnet.conv1.4"),
             (r"^resnet\.conv1\.6$", "resnet.bn1"), (r"\.conv1$", ".bn1"), (r"\.conv3$", ".bn3"),
             (r"\.convs\.(\d+)$", r".bns.\1"), (r"\.downsample\.1$", ".downsample.2"), (r"\.conv$", ".bn")]
    for pattern, repl in rules:
        if re.search(pattern, conv):
            return re.sub(pattern, repl, conv)
    return None


def unfold_batchnorm(sd, model):
    """A folded file (conv weight + bias) -> the reference's keys: each batchnorm becomes the identity plus
    the folded bias (mean 0, var 1 - eps, weight 1), so the network computes conv(x) + bias as the engine."""
    expected = model.state_dict()
    out = {}
    for key, value in sd.items():
        if not key.endswith(".bias") or key in expected:
            out[key] = value
            continue
        conv = key[:-len(".bias")]
        bn = batchnorm_of(conv)
        if bn is None or f"{bn}.weight" not in expected:
            raise ValueError(f"{key}: a folded bias whose batchnorm ({bn}) is not in the reference model")
        eps = dict(model.named_modules())[bn].eps
        out[f"{bn}.weight"] = torch.ones_like(value)
        out[f"{bn}.bias"] = value
        out[f"{bn}.running_mean"] = torch.zeros_like(value)
        out[f"{bn}.running_var"] = torch.full_like(value, 1.0 - eps)
    return out


def load_model(path):
    sd = read_state_dict(path)
    model = PraNet(config_from_state_dict(sd))
    if not any(k.endswith("running_var") for k in sd):
        sd = unfold_batchnorm(sd, model)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not IGNORED.search(k)]
    if missing or unexpected:
        raise ValueError(f"{path}: missing keys {missing[:5]}, unexpected keys {unexpected[:5]}")
    return model.eval()
