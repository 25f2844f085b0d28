"""Batch augmentation on uint8 cache tensors: one random affine (flip, rotation, zoom, shift) per sample,
applied with grid_sample straight to the batch's output size, then colour jitter and ImageNet
normalisation (spec section 3)."""
import math

import torch
import torch.nn.functional as F

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def normalise(images01):
    return (images01 - MEAN) / STD


def to_float(images_u8, masks_u8):
    """(B,H,W,3) and (B,H,W) uint8 -> (B,3,H,W) in [0,1] and (B,1,H,W) in [0,1]."""
    images = torch.as_tensor(images_u8).permute(0, 3, 1, 2).float() / 255
    masks = torch.as_tensor(masks_u8).unsqueeze(1).float()
    return images, masks / masks.amax().clamp(min=1)  # masks384 are 0..255, masks352 are 0/1


def random_affine(b, gen, max_angle=30.0, zoom=(0.8, 1.2), shift=0.1):
    """(B,2,3) theta mapping output to input coordinates in [-1,1]."""
    u = lambda *shape: torch.rand(*shape, generator=gen)  # noqa: E731
    angle = (u(b) * 2 - 1) * math.radians(max_angle) * (u(b) < 0.7)
    scale = 1 / (zoom[0] + u(b) * (zoom[1] - zoom[0]))  # >1 zooms out
    flip_x = torch.where(u(b) < 0.5, -1.0, 1.0)
    flip_y = torch.where(u(b) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos * flip_x, -sin * flip_y
    theta[:, 1, 0], theta[:, 1, 1] = sin * flip_x, cos * flip_y
    theta[:, :, 2] = (u(b, 2) * 2 - 1) * shift
    return theta


def colour_jitter(images, gen, strength=0.25):
    """Brightness, contrast and saturation factors in [1-strength, 1+strength], per sample."""
    b = images.shape[0]
    u = lambda: 1 + (torch.rand(b, 1, 1, 1, generator=gen) * 2 - 1) * strength  # noqa: E731
    images = images * u()
    mean = images.mean(dim=(1, 2, 3), keepdim=True)
    images = (images - mean) * u() + mean
    gray = (images * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    images = (images - gray) * u() + gray
    return images.clamp(0, 1)


def augment_batch(images_u8, masks_u8, size, gen):
    """Returns normalised images (B,3,size,size) and soft masks (B,1,size,size)."""
    images, masks = to_float(images_u8, masks_u8)
    theta = random_affine(images.shape[0], gen)
    grid = F.affine_grid(theta, [images.shape[0], 1, size, size], align_corners=False)
    images = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    masks = F.grid_sample(masks, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return normalise(colour_jitter(images, gen)), masks
