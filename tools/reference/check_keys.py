"""Asserts that PraNet(official config).state_dict() has exactly the 922 keys, order, shapes and dtypes
listed in the shared data's spec/pranet-state-dict-keys.tsv (not shipped; docs/pranet.md, Keys, gives the counts)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pranet import PraNet  # noqa: E402
from pranet_config import preset  # noqa: E402
from shared_paths import shared_dir  # noqa: E402


def read_tsv(path):
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != ["index", "key", "shape", "dtype", "numel"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for line in f:
            idx, key, shape, dtype, numel = line.rstrip("\n").split("\t")
            dims = [int(d) for d in shape.strip("[]").split(",") if d]
            rows.append((int(idx), key, dims, dtype, int(numel)))
    return rows


def main():
    tsv = os.path.join(shared_dir(), "spec", "pranet-state-dict-keys.tsv")
    expected = read_tsv(tsv)
    sd = PraNet(preset("official")).state_dict()
    got = list(sd.items())
    assert len(got) == len(expected) == 922, f"key count: model {len(got)}, {tsv} {len(expected)}, want 922"
    for (idx, key, dims, dtype, numel), (gkey, t) in zip(expected, got):
        assert gkey == key, f"key #{idx}: model has '{gkey}', {tsv} says '{key}'"
        assert list(t.shape) == dims, f"{key}: model shape {list(t.shape)}, expected {dims}"
        assert str(t.dtype).replace("torch.", "") == dtype, f"{key}: model dtype {t.dtype}, expected {dtype}"
        assert t.numel() == numel, f"{key}: numel {t.numel()}, expected {numel}"
    params = sum(p.numel() for p in PraNet(preset("official")).parameters())
    assert params == 32_547_319, f"parameter count {params}, docs/pranet.md (Keys) says 32,547,319"
    print(f"OK: {len(got)} keys match {tsv} in order, shape and dtype; {params:,} parameters")


if __name__ == "__main__":
    main()
