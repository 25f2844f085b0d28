"""PraNet's structure loss: boundary-weighted BCE + weighted IoU, weight 1 + 5*|avgpool31(mask) - mask|.
Unlike upstream (whose reduce='none' quirk averages the BCE before weighting), the BCE weighting is applied."""
import torch
import torch.nn.functional as F


def _box_mean(x, k, dim):
    """Mean over a centred window of k along dim (2 or 3), zero padding counted, via a running sum."""
    r = k // 2
    pad = [r + 1, r, 0, 0] if dim == 3 else [0, 0, r + 1, r]
    c = F.pad(x, pad).cumsum(dim)
    n = x.shape[dim]
    return (c.narrow(dim, k, n) - c.narrow(dim, 0, n)) / k


def boundary_weight(mask):
    """1 + 5*|avgpool31(mask) - mask| with avgpool 31x31 stride 1 pad 15 counting the zero padding; done as
    two 1-D running-sum means (equal up to rounding) because the 2-D pool is slow on CPU."""
    return 1 + 5 * torch.abs(_box_mean(_box_mean(mask, 31, 2), 31, 3) - mask)


def structure_loss(logits, mask, weight):
    bce = F.binary_cross_entropy_with_logits(logits, mask, reduction="none")
    wbce = (weight * bce).sum(dim=(2, 3)) / weight.sum(dim=(2, 3))
    pred = torch.sigmoid(logits)
    inter = (pred * mask * weight).sum(dim=(2, 3))
    union = ((pred + mask) * weight).sum(dim=(2, 3))
    wiou = 1 - (inter + 1) / (union - inter + 1)
    return (wbce + wiou).mean()


def deep_supervision_loss(maps, mask):
    """Sum of the structure loss over the four lateral maps."""
    weight = boundary_weight(mask)
    return sum(structure_loss(m, mask, weight) for m in maps)


def negative_loss(maps, kind="bce"):
    """Loss of polyp-free samples (all-zero mask), averaged over the batch, summed over the 4 maps.
    bce: plain mean BCE against 0 (the boundary weight of an all-zero mask is 1 everywhere, so this is
    exactly the structure loss's weighted-BCE term). structure: the full structure loss; its weighted-IoU
    term is then 1 - 1/(S+1) with S = sum(p) over the map: ~1 while the map has any mass (a constant offset
    of up to 4 per sample), with a gradient of p(1-p)/(S+1)^2 per pixel logit against BCE's p/N (N pixels).
    So it is negligible on a busy map (S >> sqrt(N) ~ 350 px at 352^2) but dominates on a quiet map with a
    small false blob (100 px at 0.6: S = 60, ~13x BCE's push), i.e. exactly on the false alarms that
    max-prob >= 0.5 counts."""
    if kind == "structure":
        zero = torch.zeros_like(maps[0])
        return deep_supervision_loss(maps, zero)
    return sum(F.binary_cross_entropy_with_logits(m, torch.zeros_like(m), reduction="none").mean(dim=(1, 2, 3))
               for m in maps).mean()
