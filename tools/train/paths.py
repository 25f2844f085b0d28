"""Where training reads and writes: shared data (read-only), the git-ignored cache, and the small run logs."""
import os
import sys

TRAIN_DIR = os.path.dirname(os.path.abspath(__file__))
REFERENCE_DIR = os.path.join(os.path.dirname(TRAIN_DIR), "reference")
sys.path.insert(0, REFERENCE_DIR)

from shared_paths import REPO_ROOT, kvasir_train_dir  # noqa: E402,F401

CACHE_DIR = os.path.join(REPO_ROOT, ".cache")
DATA_CACHE_DIR = os.path.join(CACHE_DIR, "kvasir-train")
CHECKPOINT_ROOT = os.path.join(CACHE_DIR, "train")
RUNS_DIR = os.path.join(TRAIN_DIR, "runs")
SPLIT_TRAIN = os.path.join(TRAIN_DIR, "split_train.txt")
SPLIT_VAL = os.path.join(TRAIN_DIR, "split_val.txt")
