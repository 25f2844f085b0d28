"""Decodes the 900 Kvasir training JPEGs once into uint8 .npy arrays under .cache/kvasir-train/:
  images384.npy (N,384,384,3), masks384.npy (N,384,384) soft 0..255  -> training (augmented, resampled)
  images352.npy (N,352,352,3), masks352.npy (N,352,352) 0/1           -> validation, test-time pipeline
  names.txt (row order). Masks are binarised at gray > 128 at their original size (JPEG noise) first."""
import os

import numpy as np
from PIL import Image

from paths import DATA_CACHE_DIR, kvasir_train_dir
from make_split import list_names

TRAIN_SIZE = 384
VAL_SIZE = 352


def load_pair(folder, name):
    image = Image.open(os.path.join(folder, "images", name + ".jpg")).convert("RGB")
    gray = np.asarray(Image.open(os.path.join(folder, "masks", name + ".jpg")).convert("L"))
    if gray.shape != (image.height, image.width):
        raise ValueError(f"{folder}/masks/{name}.jpg: size {gray.shape[::-1]} differs from its image {image.size}")
    return image, Image.fromarray(((gray > 128) * 255).astype(np.uint8))


def build():
    folder = kvasir_train_dir()
    names = list_names(folder)
    n = len(names)
    arrays = {
        "images384": np.zeros((n, TRAIN_SIZE, TRAIN_SIZE, 3), np.uint8),
        "masks384": np.zeros((n, TRAIN_SIZE, TRAIN_SIZE), np.uint8),
        "images352": np.zeros((n, VAL_SIZE, VAL_SIZE, 3), np.uint8),
        "masks352": np.zeros((n, VAL_SIZE, VAL_SIZE), np.uint8),
    }
    for i, name in enumerate(names):
        image, mask = load_pair(folder, name)
        arrays["images384"][i] = np.asarray(image.resize((TRAIN_SIZE, TRAIN_SIZE), Image.BILINEAR))
        arrays["masks384"][i] = np.asarray(mask.resize((TRAIN_SIZE, TRAIN_SIZE), Image.BILINEAR))
        arrays["images352"][i] = np.asarray(image.resize((VAL_SIZE, VAL_SIZE), Image.BILINEAR))
        arrays["masks352"][i] = np.asarray(mask.resize((VAL_SIZE, VAL_SIZE), Image.BILINEAR)) >= 128
    os.makedirs(DATA_CACHE_DIR, exist_ok=True)
    for key, arr in arrays.items():
        np.save(os.path.join(DATA_CACHE_DIR, key + ".npy"), arr)
    with open(os.path.join(DATA_CACHE_DIR, "names.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"cached {n} images in {DATA_CACHE_DIR}")


def load(names):
    """Rows of the cache for the given names, memory-mapped arrays sliced into RAM."""
    with open(os.path.join(DATA_CACHE_DIR, "names.txt")) as f:
        index = {name: i for i, name in enumerate(f.read().split())}
    missing = [n for n in names if n not in index]
    if missing:
        raise KeyError(f"{DATA_CACHE_DIR}/names.txt lacks {missing[:3]} (rebuild with data_cache.py)")
    rows = np.array([index[n] for n in names])
    return {key: np.load(os.path.join(DATA_CACHE_DIR, key + ".npy"), mmap_mode="r")[rows]
            for key in ("images384", "masks384", "images352", "masks352")}


if __name__ == "__main__":
    build()
