"""Test-time preprocessing (docs/pranet.md, Pre-processing) without torchvision: PIL RGB -> resize((352,352), BILINEAR)
-> ToTensor (uint8 -> float32 / 255) -> Normalize(ImageNet mean/std), all in float32 like torchvision."""
import numpy as np
import torch
from PIL import Image

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def load_image(path, size=352):
    """Returns a 1x3xSxS float32 tensor."""
    rgb = Image.open(path).convert("RGB").resize((size, size), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(rgb).copy()).permute(2, 0, 1).float().div(255)
    mean = torch.tensor(MEAN, dtype=torch.float32).view(3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32).view(3, 1, 1)
    return x.sub(mean).div(std).unsqueeze(0)
