"""Dice as PraNet's eval/main.m computes it (spec 6.1-6.2): a uint8 map is thresholded at the 256 values
pred_u8 >= j (j = 0..255, i.e. t = 1:-1/255:0), Dice = 2TP/(|G|+|P|), 0 when TP = 0; mDice averages over
the thresholds. Also Dice of a probability map at 0.5 for quick monitoring."""
import torch


def stretch_to_u8(prob):
    """Per-image min-max then round half up to 0..255 (MyTest.py normalisation + bytescale, spec 1.8)."""
    lo, hi = prob.min(), prob.max()
    return torch.floor(255 * (prob - lo) / (hi - lo + 1e-8) + 0.5).clamp(0, 255).long()


def dice_iou_curves(u8, gt):
    """Dice and IoU at thresholds u8 >= j for j = 0..255; u8 integer tensor, gt bool tensor, same shape."""
    u8, gt = u8.flatten(), gt.flatten()
    hist_all = torch.bincount(u8, minlength=256).double()
    hist_fg = torch.bincount(u8[gt], minlength=256).double()
    n_pred = hist_all.flip(0).cumsum(0).flip(0)  # pixels with value >= j
    tp = hist_fg.flip(0).cumsum(0).flip(0)
    n_gt = gt.sum().double()
    zero = torch.zeros_like(tp)
    dice = torch.where(tp > 0, 2 * tp / (n_gt + n_pred), zero)
    iou = torch.where(tp > 0, tp / (n_gt + n_pred - tp), zero)
    return dice, iou


def mean_dice_256(prob, gt):
    """prob, gt: (B,1,H,W). Per-image Dice averaged over the 256 thresholds of the stretched uint8 map."""
    return torch.stack([dice_iou_curves(stretch_to_u8(p), g)[0].mean() for p, g in zip(prob, gt)])


def dice_at_half(prob, gt):
    """prob, gt: (B,1,H,W); per-image Dice of prob >= 0.5 (0 when TP = 0, as in eval/main.m)."""
    pred = prob >= 0.5
    tp = (pred & gt).sum(dim=(1, 2, 3)).double()
    denom = pred.sum(dim=(1, 2, 3)).double() + gt.sum(dim=(1, 2, 3)).double()
    return torch.where(tp > 0, 2 * tp / denom.clamp(min=1), torch.zeros_like(tp))
