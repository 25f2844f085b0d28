"""Writes the seeded train/validation split of the 900 Kvasir training images (the 100 test images are
never touched). Usage: /usr/bin/python3 tools/train/make_split.py [--seed 2024] [--val 90]"""
import argparse
import os
import random

from paths import SPLIT_TRAIN, SPLIT_VAL, kvasir_train_dir


def list_names(folder):
    names = sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(folder, "images")))
    masks = sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(folder, "masks")))
    if names != masks:
        raise ValueError(f"{folder}: images/ and masks/ hold different names")
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--val", type=int, default=90)
    args = ap.parse_args()
    names = list_names(kvasir_train_dir())
    if len(names) != 900:
        raise ValueError(f"{kvasir_train_dir()}: expected 900 training images, found {len(names)}")
    shuffled = names[:]
    random.Random(args.seed).shuffle(shuffled)
    val = sorted(shuffled[:args.val])
    train = sorted(shuffled[args.val:])
    for path, part in ((SPLIT_TRAIN, train), (SPLIT_VAL, val)):
        with open(path, "w") as f:
            f.write("\n".join(part) + "\n")
    print(f"wrote {len(train)} names to {SPLIT_TRAIN} and {len(val)} to {SPLIT_VAL} (seed {args.seed})")


if __name__ == "__main__":
    main()
