"""Locates the shared read-only data: $PRANET_SHARED if set, else ../shared relative to the repo root."""
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def shared_dir():
    path = os.environ.get("PRANET_SHARED") or os.path.join(os.path.dirname(REPO_ROOT), "shared")
    if not os.path.isdir(path):
        raise FileNotFoundError(f"shared data folder not found: {path} (set PRANET_SHARED)")
    return path


def kvasir_train_dir():
    return os.path.join(shared_dir(), "data", "polyp", "TrainDataset", "Kvasir")
