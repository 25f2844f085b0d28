"""PraNet (Res2Net-50 v1b backbone + RFB + partial decoder + reverse attention), as docs/pranet.md
describes it. The topology numbers come from a PraNetConfig; module names (and so
state_dict keys and their order) are the official ones for every config.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from pranet_config import PraNetConfig


def _up(x, scale):
    """Every F.interpolate in PraNet's forward: bilinear, align_corners=False (docs/pranet.md, Interpolation)."""
    return F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)


class BasicConv2d(nn.Module):
    """Head conv: conv without bias, then BN. Deliberately no activation (docs/pranet.md, Building blocks)."""

    def __init__(self, cin, cout, kernel, padding=0, dilation=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=padding, dilation=dilation, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Bottle2neck(nn.Module):
    """Res2Net block. 'stage' blocks (block 0 of a stage) process splits independently with the stride
    on the 3x3 convs, average-pool the last split and use the v1b avgpool+1x1 shortcut; 'normal' blocks
    cascade the splits and pass the last one through."""

    def __init__(self, cin, planes, base_width, scale, stride, stage):
        super().__init__()
        w = planes * base_width // 64
        cout = 4 * planes
        self.width, self.scale, self.stage = w, scale, stage
        self.conv1 = nn.Conv2d(cin, w * scale, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w * scale)
        self.convs = nn.ModuleList(
            [nn.Conv2d(w, w, 3, stride=stride, padding=1, bias=False) for _ in range(scale - 1)])
        self.bns = nn.ModuleList([nn.BatchNorm2d(w) for _ in range(scale - 1)])
        if stage:
            # count_include_pad=True (default): border windows divide by 9.
            self.pool = nn.AvgPool2d(3, stride=stride, padding=1)
        self.conv3 = nn.Conv2d(w * scale, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        if stage:
            self.downsample = nn.Sequential(
                nn.AvgPool2d(stride, stride=stride, ceil_mode=True, count_include_pad=False),
                nn.Conv2d(cin, cout, 1, bias=False),
                nn.BatchNorm2d(cout))
        else:
            self.downsample = None

    def forward(self, x):
        t = F.relu(self.bn1(self.conv1(x)))
        groups = torch.split(t, self.width, dim=1)
        ys = []
        for i in range(self.scale - 1):
            g = groups[i] if (self.stage or i == 0) else ys[-1] + groups[i]
            ys.append(F.relu(self.bns[i](self.convs[i](g))))
        ys.append(self.pool(groups[-1]) if self.stage else groups[-1])
        z = self.bn3(self.conv3(torch.cat(ys, dim=1)))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(z + shortcut)


class Res2NetV1b(nn.Module):
    """Deep-stem Res2Net v1b backbone. avgpool/fc exist only so the official keys are present."""

    def __init__(self, cfg: PraNetConfig):
        super().__init__()
        s = cfg.stem
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, s, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(s), nn.ReLU(inplace=True),
            nn.Conv2d(s, s, 3, padding=1, bias=False), nn.BatchNorm2d(s), nn.ReLU(inplace=True),
            nn.Conv2d(s, 2 * s, 3, padding=1, bias=False))
        self.bn1 = nn.BatchNorm2d(2 * s)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        cin = 2 * s
        for idx, (blocks, planes) in enumerate(zip(cfg.layers, cfg.planes)):
            stride = 1 if idx == 0 else 2
            stage = [Bottle2neck(cin, planes, cfg.base_width, cfg.scale, stride, stage=True)]
            cin = 4 * planes
            stage += [Bottle2neck(cin, planes, cfg.base_width, cfg.scale, 1, stage=False)
                      for _ in range(blocks - 1)]
            setattr(self, f"layer{idx + 1}", nn.Sequential(*stage))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, cfg.num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        """Returns (x1, x2, x3, x4); fc is never used."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x1 = self.layer1(x)
        x2 = self.layer2(x1)
        x3 = self.layer3(x2)
        x4 = self.layer4(x3)
        return x1, x2, x3, x4


class RFBModified(nn.Module):
    """Four branches of linear conv chains (1xk, kx1, dilated 3x3), concat -> conv_cat, plus conv_res;
    ReLU only after the sum."""

    def __init__(self, cin, c):
        super().__init__()
        self.branch0 = nn.Sequential(BasicConv2d(cin, c, 1))

        def branch(k):
            return nn.Sequential(
                BasicConv2d(cin, c, 1),
                BasicConv2d(c, c, (1, k), padding=(0, k // 2)),
                BasicConv2d(c, c, (k, 1), padding=(k // 2, 0)),
                BasicConv2d(c, c, 3, padding=k, dilation=k))

        self.branch1 = branch(3)
        self.branch2 = branch(5)
        self.branch3 = branch(7)
        self.conv_cat = BasicConv2d(4 * c, c, 3, padding=1)
        self.conv_res = BasicConv2d(cin, c, 1)

    def forward(self, x):
        cat = torch.cat([self.branch0(x), self.branch1(x), self.branch2(x), self.branch3(x)], dim=1)
        return F.relu(self.conv_cat(cat) + self.conv_res(x))


class Aggregation(nn.Module):
    """Partial decoder. Its upsample is align_corners=True and a x4 is two successive x2 steps."""

    def __init__(self, c):
        super().__init__()
        self.upsample = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
        self.conv_upsample1 = BasicConv2d(c, c, 3, padding=1)
        self.conv_upsample2 = BasicConv2d(c, c, 3, padding=1)
        self.conv_upsample3 = BasicConv2d(c, c, 3, padding=1)
        self.conv_upsample4 = BasicConv2d(c, c, 3, padding=1)
        self.conv_upsample5 = BasicConv2d(2 * c, 2 * c, 3, padding=1)
        self.conv_concat2 = BasicConv2d(2 * c, 2 * c, 3, padding=1)
        self.conv_concat3 = BasicConv2d(3 * c, 3 * c, 3, padding=1)
        self.conv4 = BasicConv2d(3 * c, 3 * c, 3, padding=1)
        self.conv5 = nn.Conv2d(3 * c, 1, 1)  # the only conv with a bias

    def forward(self, a, b, c):
        """a = x4_rfb (1/32), b = x3_rfb (1/16), c = x2_rfb (1/8)."""
        up_a = self.upsample(a)
        p = self.conv_upsample1(up_a) * b
        q = self.conv_upsample2(self.upsample(up_a)) * self.conv_upsample3(self.upsample(b)) * c
        r = self.conv_concat2(torch.cat([p, self.conv_upsample4(up_a)], dim=1))
        s = self.conv_concat3(torch.cat([q, self.conv_upsample5(self.upsample(r))], dim=1))
        return self.conv5(self.conv4(s))


class PraNet(nn.Module):
    def __init__(self, cfg: PraNetConfig = PraNetConfig()):
        super().__init__()
        self.cfg = cfg
        c2, c3, c4 = cfg.stage_channels()[1:]
        ch = cfg.channel
        self.resnet = Res2NetV1b(cfg)
        self.rfb2_1 = RFBModified(c2, ch)
        self.rfb3_1 = RFBModified(c3, ch)
        self.rfb4_1 = RFBModified(c4, ch)
        self.agg1 = Aggregation(ch)
        self.ra4_conv1 = BasicConv2d(c4, cfg.ra4, 1)
        self.ra4_conv2 = BasicConv2d(cfg.ra4, cfg.ra4, 5, padding=2)
        self.ra4_conv3 = BasicConv2d(cfg.ra4, cfg.ra4, 5, padding=2)
        self.ra4_conv4 = BasicConv2d(cfg.ra4, cfg.ra4, 5, padding=2)
        self.ra4_conv5 = BasicConv2d(cfg.ra4, 1, 1)
        self.ra3_conv1 = BasicConv2d(c3, cfg.ra3, 1)
        self.ra3_conv2 = BasicConv2d(cfg.ra3, cfg.ra3, 3, padding=1)
        self.ra3_conv3 = BasicConv2d(cfg.ra3, cfg.ra3, 3, padding=1)
        self.ra3_conv4 = BasicConv2d(cfg.ra3, 1, 3, padding=1)
        self.ra2_conv1 = BasicConv2d(c2, cfg.ra2, 1)
        self.ra2_conv2 = BasicConv2d(cfg.ra2, cfg.ra2, 3, padding=1)
        self.ra2_conv3 = BasicConv2d(cfg.ra2, cfg.ra2, 3, padding=1)
        self.ra2_conv4 = BasicConv2d(cfg.ra2, 1, 3, padding=1)

    @staticmethod
    def _gate(crop, feat):
        """Reverse attention: (1 - sigmoid(crop)) broadcast over the raw backbone feature's channels."""
        return (1 - torch.sigmoid(crop)) * feat

    def forward_with_intermediates(self, x):
        """All named tensors of docs/pranet.md, Data flow. Input H and W must be multiples of 32."""
        if x.dim() != 4 or x.shape[1] != 3 or x.shape[2] % 32 or x.shape[3] % 32:
            raise ValueError(f"PraNet input must be Nx3xHxW with H, W multiples of 32, got {tuple(x.shape)}")
        out = {}
        x1, x2, x3, x4 = self.resnet(x)
        out.update(x1=x1, x2=x2, x3=x3, x4=x4)
        out["x2_rfb"] = x2_rfb = self.rfb2_1(x2)
        out["x3_rfb"] = x3_rfb = self.rfb3_1(x3)
        out["x4_rfb"] = x4_rfb = self.rfb4_1(x4)
        out["ra5_feat"] = ra5 = self.agg1(x4_rfb, x3_rfb, x2_rfb)
        out["lateral_map_5"] = _up(ra5, 8)

        out["crop_4"] = crop4 = _up(ra5, 0.25)
        y = self.ra4_conv1(self._gate(crop4, x4))
        y = F.relu(self.ra4_conv2(y))
        y = F.relu(self.ra4_conv3(y))
        y = F.relu(self.ra4_conv4(y))
        out["s4"] = s4 = self.ra4_conv5(y) + crop4
        out["lateral_map_4"] = _up(s4, 32)

        out["crop_3"] = crop3 = _up(s4, 2)
        y = self.ra3_conv1(self._gate(crop3, x3))
        y = F.relu(self.ra3_conv2(y))
        y = F.relu(self.ra3_conv3(y))
        out["s3"] = s3 = self.ra3_conv4(y) + crop3
        out["lateral_map_3"] = _up(s3, 16)

        out["crop_2"] = crop2 = _up(s3, 2)
        y = self.ra2_conv1(self._gate(crop2, x2))
        y = F.relu(self.ra2_conv2(y))
        y = F.relu(self.ra2_conv3(y))
        out["s2"] = s2 = self.ra2_conv4(y) + crop2
        out["lateral_map_2"] = _up(s2, 8)
        return out

    def forward(self, x):
        """(lateral_map_5, lateral_map_4, lateral_map_3, lateral_map_2), all logits; the last is the
        prediction."""
        o = self.forward_with_intermediates(x)
        return o["lateral_map_5"], o["lateral_map_4"], o["lateral_map_3"], o["lateral_map_2"]
