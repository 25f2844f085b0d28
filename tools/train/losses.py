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
