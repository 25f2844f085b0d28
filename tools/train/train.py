"""Trains a (compact) PraNet on the 810-image Kvasir training split, validating on the 90-image held-out
split: from scratch, or fine-tuned from a weight file (--init, e.g. the shipped .pnw, with --freeze-bn),
optionally with polyp-free crops (negatives.py) mixed into every batch (--neg-per-batch) so the model learns
to stay quiet on frames without a polyp. See README.md in this folder for the exact commands.

Outputs: checkpoints (last.pth with optimizer + RNG state, best.pth = plain state_dict chosen by the rule in
is_better()) under .cache/train/<run>/, and log.csv + log.png + config.json under tools/train/runs/<run>/."""
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
from any_weights import config_from_state_dict, load_model, read_state_dict  # noqa: E402
import augment  # noqa: E402
import data_cache  # noqa: E402
from losses import deep_supervision_loss, negative_loss  # noqa: E402
import negatives  # noqa: E402
from metrics import dice_at_half, mean_dice_256  # noqa: E402
from plot import plot_log  # noqa: E402

LOG_FIELDS = ["epoch", "lr", "train_loss", "val_loss", "val_dice05", "val_mdice", "val_det", "val_fa",
              "val_neg_maxp", "epoch_s", "elapsed_s"]


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
    ap.add_argument("--init", help="start from these weights (.pth/.safetensors/.pnw; a .pnw's folded biases "
                    "become identity batchnorms, see tools/reference/any_weights.py) instead of from scratch")
    ap.add_argument("--freeze-bn", action="store_true",
                    help="keep every batchnorm in eval mode (fixed statistics; its affine weight/bias still "
                    "train): needed after --init from a .pnw, whose batchnorms are folded")
    ap.add_argument("--neg-per-batch", type=int, default=0,
                    help="polyp-free crops (negatives.py, all-zero target) in each batch of --batch; an epoch "
                    "is one pass over the positives, (batch - this) per batch")
    ap.add_argument("--neg-weight", type=float, default=1.0, help="loss weight of a negative sample")
    ap.add_argument("--neg-loss", choices=["bce", "structure"], default="bce",
                    help="bce: mean BCE over the 4 maps; structure: PraNet's structure loss with an all-zero "
                    "mask (its weighted-IoU term then acts only on nearly quiet maps, see losses.negative_loss)")
    ap.add_argument("--neg-seed", type=int, default=negatives.SEED, help="seed of the crop generator")
    ap.add_argument("--max-fa", type=float, default=0.10,
                    help="best.pth rule: val negative crops with max prob >= 0.5 at most this share")
    ap.add_argument("--min-det", type=float, default=0.97,
                    help="best.pth rule: val positives with max prob >= 0.5 at least this share")
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


def set_train_mode(model, freeze_bn):
    model.train()
    if freeze_bn:
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()


def steps_per_epoch(n_pos, args):
    return n_pos // (args.batch - args.neg_per_batch)  # drop the last partial batch


def train_epoch(model, opt, data, neg, epoch, args, sizes):
    """One pass over the positives of the training split, args.neg_per_batch negative crops (all-zero
    masks, augmented like the positives) added to each batch. Shuffling and augmentation use a generator
    seeded by (seed, epoch), so a resumed run sees exactly the batches it would have seen."""
    set_train_mode(model, args.freeze_bn)
    gen = torch.Generator().manual_seed(args.seed * 1_000_003 + epoch)
    n = len(data["images384"])
    n_pos, n_neg = args.batch - args.neg_per_batch, args.neg_per_batch
    perm = torch.randperm(n, generator=gen).numpy()
    per_epoch = steps_per_epoch(n, args)
    if n_neg:  # a fresh permutation of the crop pool each epoch, repeated if one pass is not enough
        reps = -(-per_epoch * n_neg // len(neg))
        neg_perm = torch.cat([torch.randperm(len(neg), generator=gen) for _ in range(reps)]).numpy()
    steps = min(per_epoch, args.max_iters) if args.max_iters else per_epoch
    total, t0 = 0.0, time.time()
    for i in range(steps):
        step = (epoch - 1) * per_epoch + i
        for g in opt.param_groups:
            g["lr"] = lr_at(step, per_epoch, args)
        idx = np.sort(perm[i * n_pos:(i + 1) * n_pos])
        size = sizes[int(torch.randint(len(sizes), (1,), generator=gen))]
        images_u8, masks_u8 = data["images384"][idx], data["masks384"][idx]
        if n_neg:
            nidx = np.sort(neg_perm[i * n_neg:(i + 1) * n_neg])
            images_u8 = np.concatenate([images_u8, neg[nidx]])
            masks_u8 = np.concatenate([masks_u8, np.zeros((n_neg,) + masks_u8.shape[1:], masks_u8.dtype)])
        images, masks = augment.augment_batch(images_u8, masks_u8, size, gen)
        maps = model(images)
        if n_neg:
            pos_loss = deep_supervision_loss([m[:n_pos] for m in maps], masks[:n_pos])
            neg_l = negative_loss([m[n_pos:] for m in maps], args.neg_loss)
            loss = (n_pos * pos_loss + args.neg_weight * n_neg * neg_l) / args.batch
        else:
            loss = deep_supervision_loss(maps, masks)
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
def validate(model, data, neg=None, batch=10):
    """Validation at 352x352 with the test-time preprocessing (the cached 352^2 arrays are PIL-bilinear
    resizes of the originals). On the positives: structure loss on the 4 maps, Dice@0.5 and mDice (256
    thresholds, stretched) of sigmoid(lateral_map_2) against the binary mask, and det = share whose
    unstretched max sigmoid(lateral_map_2) is >= 0.5. On the negative crops (uint8 (N,352,352,3), optional):
    fa = share whose max sigmoid(lateral_map_2) is >= 0.5, neg_maxp = mean of that max."""
    model.eval()
    losses, d05, dm, pmax = [], [], [], []
    for s in range(0, len(data["images352"]), batch):
        images, masks = augment.to_float(data["images352"][s:s + batch], data["masks352"][s:s + batch])
        maps = model(augment.normalise(images))
        losses.append(deep_supervision_loss(maps, masks).item() * len(images))
        prob, gt = torch.sigmoid(maps[3]), masks > 0.5
        d05.append(dice_at_half(prob, gt))
        dm.append(mean_dice_256(prob, gt))
        pmax.append(prob.amax(dim=(1, 2, 3)))
    n = len(data["images352"])
    pmax = torch.cat(pmax)
    out = {"val_loss": sum(losses) / n, "val_dice05": torch.cat(d05).mean().item(),
           "val_mdice": torch.cat(dm).mean().item(), "val_det": (pmax >= 0.5).double().mean().item(),
           "val_fa": float("nan"), "val_neg_maxp": float("nan")}
    if neg is not None and len(neg):
        nmax = negative_max_prob(model, neg, batch)
        out["val_fa"] = (nmax >= 0.5).double().mean().item()
        out["val_neg_maxp"] = nmax.mean().item()
    return out


@torch.no_grad()
def negative_max_prob(model, crops, batch=10):
    """Max over the pixels of sigmoid(lateral_map_2), unstretched, for each uint8 (N,H,W,3) image."""
    model.eval()
    out = []
    for s in range(0, len(crops), batch):
        images = torch.as_tensor(crops[s:s + batch]).permute(0, 3, 1, 2).float() / 255
        out.append(torch.sigmoid(model(augment.normalise(images))[3]).amax(dim=(1, 2, 3)))
    return torch.cat(out)


def eligible(scores, args):
    return scores["val_fa"] <= args.max_fa and scores["val_det"] >= args.min_det


def is_better(scores, best, args):
    """best.pth rule: the highest val mDice among the epochs that meet both validation targets (false
    alarms <= --max-fa on the negative crops, detection >= --min-det on the positives); until one does,
    the epoch closest to them (smallest fa excess + det shortfall), so best.pth always exists. Without
    negatives (--neg-per-batch 0 and no crops) val_fa is nan and the rule is the old one: highest mDice."""
    if math.isnan(scores["val_fa"]):
        key = (1, scores["val_mdice"])
    elif eligible(scores, args):
        key = (1, scores["val_mdice"])
    else:
        key = (0, -(max(0.0, scores["val_fa"] - args.max_fa) + max(0.0, args.min_det - scores["val_det"])))
    return best is None or key > tuple(best), list(key)


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
    train_neg, val_neg, neg_info = None, None, {}
    if args.neg_per_batch:
        if not 0 < args.neg_per_batch < args.batch:
            raise ValueError(f"--neg-per-batch {args.neg_per_batch} must be between 1 and --batch - 1")
        train_neg, info = negatives.load_split("train", args.neg_seed)
        neg_info["train_crops"] = {k: v for k, v in info.items() if k != "crops_list"}
    # the validation crops are always scored (the false-alarm rate of a model trained without negatives)
    val_neg, info = negatives.load_split("val", args.neg_seed)
    neg_info["val_crops"] = {k: v for k, v in info.items() if k != "crops_list"}

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    model = PraNet(cfg)
    if args.init and not args.resume:
        init_cfg = config_from_state_dict(read_state_dict(args.init))
        if init_cfg.to_dict() != cfg.to_dict():
            raise ValueError(f"{args.init}: config {init_cfg.to_dict()} differs from --config {cfg.to_dict()}")
        model.load_state_dict(load_model(args.init).state_dict())  # resnet.fc (unused) comes along as well
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    start, best, elapsed, rows = 1, None, 0.0, []
    if args.resume:
        ck = torch.load(last_path)
        if ck["config"] != cfg.to_dict():
            raise ValueError(f"{last_path}: config {ck['config']} differs from --config {cfg.to_dict()}")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        set_rng_state(ck["rng"])
        start, elapsed = ck["epoch"] + 1, ck["elapsed_s"]
        best = ck.get("best_key", [1, ck["best_mdice"]])
        rows = read_log(log_path, ck["epoch"])
        print(f"resumed {last_path} at epoch {ck['epoch']} (best key {best})", flush=True)
    elif os.path.exists(last_path) and not args.max_iters:
        raise FileExistsError(f"{last_path} exists: pass --resume or choose another --run")

    n_params = sum(p.numel() for k, p in model.named_parameters() if not k.startswith("resnet.fc"))
    with open(os.path.join(run_dir, "config.json"), "w") as f:
        json.dump({"config": cfg.to_dict(), "args": vars(args), "params_without_fc": n_params,
                   "params_total": sum(p.numel() for p in model.parameters()),
                   "train_images": len(train_names), "val_images": len(val_names), **neg_info}, f, indent=2)
    print(f"config {cfg.to_dict()}; {n_params:,} parameters without fc", flush=True)

    for epoch in range(start, args.epochs + 1):
        t0 = time.time()
        train_loss, lr = train_epoch(model, opt, train_data, train_neg, epoch, args, sizes)
        train_s = time.time() - t0
        sc = validate(model, val_data, val_neg)
        epoch_s = time.time() - t0
        elapsed += epoch_s
        if args.max_iters:
            per_iter = train_s / args.max_iters
            print(f"measurement: {per_iter:.2f}s/iter, validation {epoch_s - train_s:.1f}s, full epoch about "
                  f"{per_iter * steps_per_epoch(len(train_names), args) + epoch_s - train_s:.0f}s; {sc}",
                  flush=True)
            return
        better, key = is_better(sc, best, args)
        if better:
            best = key
            save_atomic(model.state_dict(), best_path)
            with open(os.path.join(run_dir, "best.json"), "w") as f:
                json.dump({"epoch": epoch, **sc, "meets_targets": eligible(sc, args),
                           "rule": {"max_fa": args.max_fa, "min_det": args.min_det}}, f, indent=2)
        save_atomic({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch,
                     "rng": rng_state(), "best_mdice": best[1], "best_key": best, "elapsed_s": elapsed,
                     "config": cfg.to_dict(), "args": vars(args)}, last_path)
        rows.append({"epoch": epoch, "lr": f"{lr:.3e}", "train_loss": f"{train_loss:.5f}",
                     **{k: f"{v:.5f}" for k, v in sc.items()}, "epoch_s": f"{epoch_s:.1f}",
                     "elapsed_s": f"{elapsed:.0f}"})
        write_log(log_path, rows)
        plot_log(log_path, os.path.join(run_dir, "log.png"))
        print(f"== epoch {epoch}/{args.epochs} train {train_loss:.4f} val {sc['val_loss']:.4f} "
              f"dice@0.5 {sc['val_dice05']:.4f} mDice {sc['val_mdice']:.4f} det {sc['val_det']:.3f} "
              f"fa {sc['val_fa']:.3f} neg maxp {sc['val_neg_maxp']:.3f} (best {best}) {epoch_s:.0f}s", flush=True)


if __name__ == "__main__":
    main()
