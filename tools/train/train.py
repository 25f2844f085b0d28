"""Trains a (compact) PraNet from scratch on the 810-image Kvasir training split, validating on the
90-image held-out split. See README.md in this folder for the exact command.

Outputs: checkpoints (last.pth with optimizer + RNG state, best.pth = plain state_dict by val mDice) under
.cache/train/<run>/, and log.csv + log.png + config.json under tools/train/runs/<run>/."""
import os

# Sleep instead of spin in OpenMP barriers: on this shared 2-core machine spinning threads made iterations
# 5-10x slower whenever another process was running. Must be set before torch loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from paths import CHECKPOINT_ROOT, RUNS_DIR, SPLIT_TRAIN, SPLIT_VAL  # noqa: E402
from pranet import PraNet  # noqa: E402
from pranet_config import PraNetConfig, preset  # noqa: E402
import augment  # noqa: E402
import data_cache  # noqa: E402
from losses import deep_supervision_loss  # noqa: E402
from metrics import dice_at_half, mean_dice_256  # noqa: E402
from plot import plot_log  # noqa: E402

LOG_FIELDS = ["epoch", "lr", "train_loss", "val_loss", "val_dice05", "val_mdice", "epoch_s", "elapsed_s"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", required=True, help="run name (folder under runs/ and .cache/train/)")
    ap.add_argument("--config", default="compact",
                    help="preset name (see pranet_config.PRESETS) or a JSON object of PraNetConfig fields")
    ap.add_argument("--epochs", type=int, default=140)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--warmup-epochs", type=float, default=2.0)
    ap.add_argument("--min-lr-ratio", type=float, default=0.01, help="cosine floor as a fraction of --lr")
    ap.add_argument("--clip", type=float, default=2.0, help="max global gradient norm")
    ap.add_argument("--sizes", default="256,320,352", help="training sizes, one drawn per batch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-iters", type=int, default=0, help="measurement mode: iterations per epoch (0 = all)")
    ap.add_argument("--resume", action="store_true", help="continue from .cache/train/<run>/last.pth")
    return ap.parse_args()


def make_config(text):
    if text.lstrip().startswith("{"):
        fields = json.loads(text)
        return PraNetConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})
    return preset(text)


def read_names(path):
    with open(path) as f:
        return f.read().split()


def lr_at(step, steps_per_epoch, args):
    """Linear warm-up, then cosine decay to min_lr_ratio * lr at the last step."""
    total = args.epochs * steps_per_epoch
    warm = args.warmup_epochs * steps_per_epoch
    if step < warm:
        return args.lr * (step + 1) / warm
    t = (step - warm) / max(total - warm, 1)
    floor = args.lr * args.min_lr_ratio
    return floor + (args.lr - floor) * 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))


def rng_state():
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}


def set_rng_state(state):
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def train_epoch(model, opt, data, epoch, args, sizes):
    """One pass over the training split. Shuffling and augmentation use a generator seeded by
    (seed, epoch), so a resumed run sees exactly the batches it would have seen."""
    model.train()
    gen = torch.Generator().manual_seed(args.seed * 1_000_003 + epoch)
    n = len(data["images384"])
    perm = torch.randperm(n, generator=gen).numpy()
    steps = n // args.batch  # drop the last partial batch: BN statistics need full batches
    if args.max_iters:
        steps = min(steps, args.max_iters)
    total, t0 = 0.0, time.time()
    for i in range(steps):
        step = (epoch - 1) * (n // args.batch) + i
        for g in opt.param_groups:
            g["lr"] = lr_at(step, n // args.batch, args)
        idx = np.sort(perm[i * args.batch:(i + 1) * args.batch])
        size = sizes[int(torch.randint(len(sizes), (1,), generator=gen))]
        images, masks = augment.augment_batch(data["images384"][idx], data["masks384"][idx], size, gen)
        loss = deep_supervision_loss(model(images), masks)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        total += loss.item()
        if (i + 1) % 20 == 0 or i + 1 == steps:
            print(f"epoch {epoch} iter {i + 1}/{steps} loss {total / (i + 1):.4f} "
                  f"{(time.time() - t0) / (i + 1):.2f}s/iter", flush=True)
    return total / steps, opt.param_groups[0]["lr"]


@torch.no_grad()
def validate(model, data, batch=10):
    """Validation at 352x352 with the test-time preprocessing: loss on the 4 maps, Dice@0.5 and mDice of
    sigmoid(lateral_map_2) against the binary mask."""
    model.eval()
    losses, d05, dm = [], [], []
    for s in range(0, len(data["images352"]), batch):
        images, masks = augment.to_float(data["images352"][s:s + batch], data["masks352"][s:s + batch])
        maps = model(augment.normalise(images))
        losses.append(deep_supervision_loss(maps, masks).item() * len(images))
        prob, gt = torch.sigmoid(maps[3]), masks > 0.5
        d05.append(dice_at_half(prob, gt))
        dm.append(mean_dice_256(prob, gt))
    n = len(data["images352"])
    return sum(losses) / n, torch.cat(d05).mean().item(), torch.cat(dm).mean().item()


def save_atomic(obj, path):
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def read_log(path, upto_epoch):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [r for r in csv.DictReader(f) if int(r["epoch"]) <= upto_epoch]


def write_log(path, rows):
    with open(path + ".tmp", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=LOG_FIELDS)
        w.writeheader()
        w.writerows(rows)
    os.replace(path + ".tmp", path)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    cfg = make_config(args.config)
    ckpt_dir = os.path.join(CHECKPOINT_ROOT, args.run)
    run_dir = os.path.join(RUNS_DIR, args.run)
    os.makedirs(ckpt_dir, exist_ok=True)
    os.makedirs(run_dir, exist_ok=True)
    last_path, best_path = os.path.join(ckpt_dir, "last.pth"), os.path.join(ckpt_dir, "best.pth")
    log_path = os.path.join(run_dir, "log.csv")

    train_names, val_names = read_names(SPLIT_TRAIN), read_names(SPLIT_VAL)
    if set(train_names) & set(val_names):
        raise ValueError(f"{SPLIT_TRAIN} and {SPLIT_VAL} overlap")
    train_data = {k: np.ascontiguousarray(v) for k, v in data_cache.load(train_names).items()
                  if k.endswith("384")}
    val_data = {k: np.ascontiguousarray(v) for k, v in data_cache.load(val_names).items() if k.endswith("352")}
    sizes = [int(s) for s in args.sizes.split(",")]

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    model = PraNet(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    start, best, elapsed, rows = 1, -1.0, 0.0, []
    if args.resume:
        ck = torch.load(last_path)
        if ck["config"] != cfg.to_dict():
            raise ValueError(f"{last_path}: config {ck['config']} differs from --config {cfg.to_dict()}")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        set_rng_state(ck["rng"])
        start, best, elapsed = ck["epoch"] + 1, ck["best_mdice"], ck["elapsed_s"]
        rows = read_log(log_path, ck["epoch"])
        print(f"resumed {last_path} at epoch {ck['epoch']} (best val mDice {best:.4f})", flush=True)
    elif os.path.exists(last_path) and not args.max_iters:
        raise FileExistsError(f"{last_path} exists: pass --resume or choose another --run")

    n_params = sum(p.numel() for k, p in model.named_parameters() if not k.startswith("resnet.fc"))
    with open(os.path.join(run_dir, "config.json"), "w") as f:
        json.dump({"config": cfg.to_dict(), "args": vars(args), "params_without_fc": n_params,
                   "params_total": sum(p.numel() for p in model.parameters()),
                   "train_images": len(train_names), "val_images": len(val_names)}, f, indent=2)
    print(f"config {cfg.to_dict()}; {n_params:,} parameters without fc", flush=True)

    for epoch in range(start, args.epochs + 1):
        t0 = time.time()
        train_loss, lr = train_epoch(model, opt, train_data, epoch, args, sizes)
        train_s = time.time() - t0
        val_loss, val_d05, val_mdice = validate(model, val_data)
        epoch_s = time.time() - t0
        elapsed += epoch_s
        if args.max_iters:
            per_iter = train_s / args.max_iters
            print(f"measurement: {per_iter:.2f}s/iter, validation {epoch_s - train_s:.1f}s, full epoch about "
                  f"{per_iter * (len(train_names) // args.batch) + epoch_s - train_s:.0f}s", flush=True)
            return
        if val_mdice > best:
            best = val_mdice
            save_atomic(model.state_dict(), best_path)
            with open(os.path.join(run_dir, "best.json"), "w") as f:
                json.dump({"epoch": epoch, "val_mdice": val_mdice, "val_dice05": val_d05,
                           "val_loss": val_loss}, f, indent=2)
        save_atomic({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch,
                     "rng": rng_state(), "best_mdice": best, "elapsed_s": elapsed,
                     "config": cfg.to_dict(), "args": vars(args)}, last_path)
        rows.append({"epoch": epoch, "lr": f"{lr:.3e}", "train_loss": f"{train_loss:.5f}",
                     "val_loss": f"{val_loss:.5f}", "val_dice05": f"{val_d05:.5f}",
                     "val_mdice": f"{val_mdice:.5f}", "epoch_s": f"{epoch_s:.1f}", "elapsed_s": f"{elapsed:.0f}"})
        write_log(log_path, rows)
        plot_log(log_path, os.path.join(run_dir, "log.png"))
        print(f"== epoch {epoch}/{args.epochs} train {train_loss:.4f} val {val_loss:.4f} "
              f"dice@0.5 {val_d05:.4f} mDice {val_mdice:.4f} (best {best:.4f}) {epoch_s:.0f}s", flush=True)


if __name__ == "__main__":
    main()
