"""Minimal .safetensors writer (torch 1.13 has no safetensors package): u64 little-endian header length,
JSON header {name: {dtype, shape, data_offsets: [begin, end]}} padded with spaces to a multiple of 8,
then the raw little-endian tensor bytes in header order."""
import json
import struct

import numpy as np
import torch

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64",
          torch.int32: "I32", torch.uint8: "U8"}


def save_safetensors(state_dict, path, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in state_dict.items():
        if t.dtype not in DTYPES:
            raise ValueError(f"{path}: tensor '{name}' has unsupported dtype {t.dtype}")
        arr = t.detach().cpu().contiguous().numpy()
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Reads back what save_safetensors writes (used to verify the writer)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    inverse = {v: k for k, v in DTYPES.items()}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = inverse[info["dtype"]]
        np_dtype = torch.empty(0, dtype=dtype).numpy().dtype.newbyteorder("<")
        out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=np_dtype).copy()).reshape(info["shape"])
    return out
