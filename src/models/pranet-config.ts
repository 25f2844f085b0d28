// PraNet's topology numbers, read from a weight map's tensor shapes: the official model and any narrower
// or shallower variant with the same module names load through the same path.
import type { WeightReader } from './weight-reader.js';

export interface StageConfig {
  blocks: number;
  /** split width w (channels of each Res2Net split) */
  width: number;
  /** number of splits */
  scale: number;
  /** output channels (4 x planes) */
  out: number;
}

export interface PraNetConfig {
  /** stem conv widths: 3 -> stem -> stem -> stemOut */
  stem: number;
  stemOut: number;
  stages: [StageConfig, StageConfig, StageConfig, StageConfig];
  /** RFB and decoder width */
  channel: number;
  ra4: number;
  ra4Kernel: number;
  ra3: number;
  ra2: number;
}

/** The number of convs and multiply-adds per image tell a variant apart; this one line says which it is. */
export function describeConfig(c: PraNetConfig): string {
  const s = c.stages;
  return `stem ${c.stem}/${c.stemOut}, blocks [${s.map((x) => x.blocks)}], split widths [${s.map((x) => x.width)}] x${s[0].scale}, ` +
    `stage channels [${s.map((x) => x.out)}], channel ${c.channel}, RA widths ${c.ra4}/${c.ra3}/${c.ra2}`;
}

export function inferConfig(r: WeightReader): PraNetConfig {
  const need = (key: string, dims: number): number[] => {
    const s = r.shapeOf(key);
    if (!s) throw new Error(`${r.source}: cannot tell the PraNet configuration: key '${key}' is missing`);
    if (s.length !== dims) throw new Error(`${r.source}: key '${key}' has shape [${s.join(', ')}], expected ${dims} dimensions`);
    return s;
  };
  const stem = need('resnet.conv1.0.weight', 4)[0]!;
  const stemOut = need('resnet.conv1.6.weight', 4)[0]!;
  const stages = [1, 2, 3, 4].map((L): StageConfig => {
    let blocks = 0;
    while (r.has(`resnet.layer${L}.${blocks}.conv1.weight`)) blocks++;
    if (blocks === 0) throw new Error(`${r.source}: cannot tell the PraNet configuration: key 'resnet.layer${L}.0.conv1.weight' is missing`);
    const width = need(`resnet.layer${L}.0.convs.0.weight`, 4)[0]!;
    let scale = 1;
    while (r.has(`resnet.layer${L}.0.convs.${scale - 1}.weight`)) scale++;
    const out = need(`resnet.layer${L}.0.conv3.weight`, 4)[0]!;
    return { blocks, width, scale, out };
  }) as PraNetConfig['stages'];
  const ra4Shape = need('ra4_conv2.conv.weight', 4);
  return {
    stem,
    stemOut,
    stages,
    channel: need('rfb2_1.branch0.0.conv.weight', 4)[0]!,
    ra4: need('ra4_conv1.conv.weight', 4)[0]!,
    ra4Kernel: ra4Shape[2]!,
    ra3: need('ra3_conv1.conv.weight', 4)[0]!,
    ra2: need('ra2_conv1.conv.weight', 4)[0]!,
  };
}
