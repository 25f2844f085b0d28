"""Validation Dice: at threshold 0.5, and PraNet's mDice (spec 6.1-6.2: per-image min-max to uint8, then
Dice at the 256 thresholds pred_u8 >= j, Dice = 0 when TP = 0, averaged over thresholds)."""
import torch


def dice_at_half(prob, gt):
    """prob, gt: (B,1,H,W); returns per-image Dice of prob >= 0.5 (0 when TP = 0, as in eval/main.m)."""
    pred = prob >= 0.5
    tp = (pred & gt).sum(dim=(1, 2, 3)).double()
    denom = pred.sum(dim=(1, 2, 3)).double() + gt.sum(dim=(1, 2, 3)).double()
    return torch.where(tp > 0, 2 * tp / denom.clamp(min=1), torch.zeros_like(tp))


def mean_dice_256(prob, gt):
    """Per-image Dice averaged over the 256 integer thresholds of the min-max stretched uint8 map."""
    out = []
    for p, g in zip(prob, gt):
        lo, hi = p.min(), p.max()
        u8 = torch.floor(255 * (p - lo) / (hi - lo + 1e-8) + 0.5).clamp(0, 255).long().flatten()
        g = g.flatten()
        hist_all = torch.bincount(u8, minlength=256).double()
        hist_fg = torch.bincount(u8[g], minlength=256).double()
        # counts of pixels with value >= j, for j = 0..255
        n_pred = hist_all.flip(0).cumsum(0).flip(0)
        tp = hist_fg.flip(0).cumsum(0).flip(0)
        dice = torch.where(tp > 0, 2 * tp / (g.sum() + n_pred), torch.zeros_like(tp))
        out.append(dice.mean())
    return torch.stack(out)
