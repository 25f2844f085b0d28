"""Topology numbers of a PraNet network and the named presets used by this project.

Every variant keeps the official module and key names; only these numbers change, so a checkpoint's
tensor shapes alone determine its config (see shape_rules in README.md of this folder).
"""
from dataclasses import dataclass, asdict
from typing import Tuple


@dataclass(frozen=True)
class PraNetConfig:
    stem: int = 32                      # stem convs 3->stem, stem->stem, stem->2*stem
    layers: Tuple[int, ...] = (3, 4, 6, 3)  # Bottle2neck blocks per stage
    planes: Tuple[int, ...] = (64, 128, 256, 512)  # stage output channels = 4*planes
    base_width: int = 26                # split width w = floor(planes*base_width/64)
    scale: int = 4                      # number of splits per Bottle2neck
    channel: int = 32                   # RFB / decoder width
    ra4: int = 256                      # RA4 width (its inner convs are 5x5)
    ra3: int = 64
    ra2: int = 64
    num_classes: int = 1000             # resnet.fc outputs (unused, kept for key compatibility)

    def __post_init__(self):
        if len(self.layers) != 4 or len(self.planes) != 4:
            raise ValueError(f"PraNetConfig: layers and planes need 4 entries, got {self.layers}, {self.planes}")
        if min(self.layers) < 1:
            raise ValueError(f"PraNetConfig: every stage needs at least one block, got {self.layers}")
        if self.scale < 2:
            raise ValueError(f"PraNetConfig: scale must be >= 2, got {self.scale}")
        if min(self.split_widths()) < 1:
            raise ValueError(f"PraNetConfig: split width floor(planes*base_width/64) is 0 for {self.planes}")
        # Upstream omits layer1's shortcut conv when 2*stem == 4*planes[0]; we always build it, so forbid
        # that case to keep "block 0 of every stage has downsample.1/.2" true for all variants.
        if 2 * self.stem == 4 * self.planes[0]:
            raise ValueError("PraNetConfig: 2*stem must differ from 4*planes[0] (layer1 shortcut would vanish)")

    def split_widths(self):
        return [p * self.base_width // 64 for p in self.planes]

    def stage_channels(self):
        return [4 * p for p in self.planes]

    def to_dict(self):
        return asdict(self)


PRESETS = {
    "official": PraNetConfig(),
    # Engine test variant: odd split widths (6, 13, 26, 52) and uneven block counts on purpose.
    "tiny": PraNetConfig(stem=8, layers=(1, 2, 1, 1), planes=(16, 32, 64, 128), channel=8,
                         ra4=16, ra3=16, ra2=16),
    # The shipped default model, trained from scratch on CPU (tools/train): 5.47 M parameters without fc.
    "compact": PraNetConfig(stem=16, layers=(2, 3, 4, 2), planes=(32, 64, 128, 256), channel=32,
                            ra4=64, ra3=48, ra2=48),
}


def preset(name: str) -> PraNetConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown PraNet config '{name}', expected one of {sorted(PRESETS)}")
    return PRESETS[name]
