"""Polyp-free crops ("negatives") of Kvasir images, deterministic for a seed, for training the model to stay
quiet on frames without a polyp and for measuring how often it does not (false-alarm rate).

Per image (original size W x H, mask binarised at gray > 128 like data_cache.py), up to PER_IMAGE crops, one
per scale bin: the side fractions f in [0.15, 0.60] of the image are split into PER_IMAGE log-spaced bins;
crop width = f*W*sqrt(a), height = f*H/sqrt(a), with the relative aspect a log-uniform in [0.5, 2] (a = 1
keeps the image's own aspect, i.e. the crop is squashed to a square exactly as a whole frame is). Up to
TRIES positions and sizes are drawn per bin; a candidate is accepted when
  * no mask pixel lies in the crop grown by MARGIN = 2% of the image's shorter side on each side (about
    11 px on a 622x530 image) -- the same as dilating the mask with a square of that radius: annotations
    are tight outlines and a crop that grazes the polyp's rim is not a polyp-free frame;
  * at most half of its pixels are dark border (max RGB < 20): Kvasir frames have black side bands, and a
    crop of mostly border is neither a realistic frame nor a useful example;
  * its IoU with every crop already accepted from this image is <= 0.5.
The crop is cut at original resolution and resized with PIL bilinear to the cache size (384 for training,
352 for validation/test, as data_cache.py does with whole images); its target is all zero.
The draws use a generator seeded from (seed, sha256(name)), so an image's crops do not depend on which
other names are in the list.

  nice -n 10 /usr/bin/python3 tools/train/negatives.py --split train   # 384^2, .cache/kvasir-neg/train-*
  nice -n 10 /usr/bin/python3 tools/train/negatives.py --split val     # 352^2, .cache/kvasir-neg/val-*
  # any other folder with images/ and masks/ (e.g. the test set, for the single report at shipping)
  nice -n 10 /usr/bin/python3 tools/train/negatives.py --data FOLDER --tag NAME --size 352
"""
import argparse
import hashlib
import json
import math
import os

import numpy as np
from PIL import Image

from paths import CACHE_DIR, SPLIT_TRAIN, SPLIT_VAL, kvasir_train_dir
from data_cache import TRAIN_SIZE, VAL_SIZE, load_pair
from make_split import list_names

NEG_CACHE_DIR = os.path.join(CACHE_DIR, "kvasir-neg")
SEED = 7
PER_IMAGE = 4
SIDE = (0.15, 0.60)
ASPECT = (0.5, 2.0)
MARGIN = 0.02
DARK_LEVEL = 20
MAX_DARK = 0.5
MAX_IOU = 0.5
TRIES = 200


def _integral(a):
    ii = np.zeros((a.shape[0] + 1, a.shape[1] + 1), np.int64)
    ii[1:, 1:] = a.astype(np.int64).cumsum(0).cumsum(1)
    return ii


def _box_sum(ii, x0, y0, x1, y1):
    return ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]


def _iou(a, b):
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def image_rng(seed, name):
    return np.random.default_rng([seed, int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")])


def crop_boxes(mask, rgb, rng, per_image=PER_IMAGE):
    """Polyp-free boxes (x0, y0, x1, y1) in original pixels. mask: bool (H,W); rgb: uint8 (H,W,3)."""
    h, w = mask.shape
    m = max(1, round(MARGIN * min(h, w)))
    mask_ii = _integral(mask)
    dark_ii = _integral(rgb.max(axis=2) < DARK_LEVEL)
    edges = np.exp(np.linspace(math.log(SIDE[0]), math.log(SIDE[1]), per_image + 1))
    boxes = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        for _ in range(TRIES):
            f = math.exp(rng.uniform(math.log(lo), math.log(hi)))
            a = math.exp(rng.uniform(math.log(ASPECT[0]), math.log(ASPECT[1])))
            cw = min(w, max(16, round(f * w * math.sqrt(a))))
            ch = min(h, max(16, round(f * h / math.sqrt(a))))
            x0 = int(rng.integers(0, w - cw + 1))
            y0 = int(rng.integers(0, h - ch + 1))
            box = (x0, y0, x0 + cw, y0 + ch)
            if _box_sum(mask_ii, max(0, x0 - m), max(0, y0 - m), min(w, box[2] + m), min(h, box[3] + m)):
                continue
            if _box_sum(dark_ii, *box) > MAX_DARK * cw * ch:
                continue
            if any(_iou(box, b) > MAX_IOU for b in boxes):
                continue
            boxes.append(box)
            break
    return boxes


def make_crops(folder, names, seed=SEED, size=VAL_SIZE, per_image=PER_IMAGE):
    """Crops for the given names of folder (images/, masks/): uint8 (N,size,size,3) and a list of
    {"name", "box"} records in the same order."""
    crops, records = [], []
    for name in names:
        image, mask = load_pair(folder, name)
        rgb = np.asarray(image)
        for box in crop_boxes(np.asarray(mask) > 0, rgb, image_rng(seed, name), per_image):
            crops.append(np.asarray(image.crop(box).resize((size, size), Image.BILINEAR)))
            records.append({"name": name, "box": list(box)})
    return np.stack(crops) if crops else np.zeros((0, size, size, 3), np.uint8), records


def cache_paths(tag, seed=SEED, size=VAL_SIZE, per_image=PER_IMAGE):
    stem = os.path.join(NEG_CACHE_DIR, f"{tag}-s{seed}-k{per_image}-{size}")
    return stem + ".npy", stem + ".json"


def summary(names, records):
    counts = np.bincount([names.index(r["name"]) for r in records], minlength=len(names)) if records else \
        np.zeros(len(names), np.int64)
    return {"images": len(names), "crops": len(records), "per_image_hist": np.bincount(counts).tolist(),
            "images_without_crop": int((counts == 0).sum()), "mean_per_image": float(counts.mean())}


def build(folder, names, tag, seed=SEED, size=VAL_SIZE, per_image=PER_IMAGE):
    crops, records = make_crops(folder, names, seed, size, per_image)
    npy, meta = cache_paths(tag, seed, size, per_image)
    os.makedirs(NEG_CACHE_DIR, exist_ok=True)
    np.save(npy + ".tmp.npy", crops)
    os.replace(npy + ".tmp.npy", npy)
    info = {"folder": folder, "seed": seed, "size": size, "per_image": per_image, "margin": MARGIN,
            "side": SIDE, "aspect": ASPECT, **summary(names, records), "crops_list": records}
    with open(meta, "w") as f:
        json.dump(info, f)
    return crops, info


def load(tag, folder=None, names=None, seed=SEED, size=VAL_SIZE, per_image=PER_IMAGE):
    """The cached crops of tag, built first when missing (folder and names needed then)."""
    npy, meta = cache_paths(tag, seed, size, per_image)
    if not os.path.exists(npy):
        if folder is None:
            raise FileNotFoundError(f"{npy} missing: run negatives.py --split {tag}")
        return build(folder, names, tag, seed, size, per_image)
    with open(meta) as f:
        info = json.load(f)
    if names is not None and not {r["name"] for r in info["crops_list"]} <= set(names):
        raise ValueError(f"{meta}: crops from images outside the requested names")
    return np.load(npy), info


def split_names(split):
    with open({"train": SPLIT_TRAIN, "val": SPLIT_VAL}[split]) as f:
        return f.read().split()


def load_split(split, seed=SEED, per_image=PER_IMAGE):
    """Crops of the train (384^2) or val (352^2) split of the Kvasir training folder, built when missing."""
    size = TRAIN_SIZE if split == "train" else VAL_SIZE
    return load(split, kvasir_train_dir(), split_names(split), seed, size, per_image)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["train", "val"], help="a split of the Kvasir training folder")
    ap.add_argument("--data", help="any folder with images/ and masks/ (all its names)")
    ap.add_argument("--tag", help="cache name for --data")
    ap.add_argument("--size", type=int, help=f"default {TRAIN_SIZE} for --split train, else {VAL_SIZE}")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--per-image", type=int, default=PER_IMAGE)
    args = ap.parse_args()
    if bool(args.split) == bool(args.data) or (args.data and not args.tag):
        ap.error("give --split, or --data with --tag")
    if args.split:
        folder, names, tag = kvasir_train_dir(), split_names(args.split), args.split
        size = args.size or (TRAIN_SIZE if args.split == "train" else VAL_SIZE)
    else:
        folder, names, tag, size = args.data, list_names(args.data), args.tag, args.size or VAL_SIZE
    _, info = build(folder, names, tag, args.seed, size, args.per_image)
    print(json.dumps({k: v for k, v in info.items() if k != "crops_list"}))
    print(f"-> {cache_paths(tag, args.seed, size, args.per_image)[0]}")


if __name__ == "__main__":
    main()
