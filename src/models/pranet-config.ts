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
  return (
    `stem ${c.stem}/${c.stemOut}, blocks [${s.map((x) => x.blocks).join(',')}], split widths [${s.map((x) => x.width).join(',')}] x${s[0].scale}, ` +
    `stage channels [${s.map((x) => x.out).join(',')}], channel ${c.channel}, RA widths ${c.ra4}/${c.ra3}/${c.ra2}`
  );
}

/** Where one number of the configuration can be read: a key, its rank, and the axis that holds the number. */
type Source = readonly [key: string, dims: number, axis: number];

/**
 * Bounds on what the shapes may say, far past any Res2Net/PraNet (Res2Net-152 has 36 blocks in a stage, the
 * paper's widest scale is 8 splits, PraNet's widest layer has 2048 channels and its largest inferred kernel
 * is 5), so that a hostile file cannot make the builder loop for ever or allocate from a made-up width.
 */
export const CONFIG_LIMITS = { blocks: 64, splits: 64, channels: 8192, kernel: 15 };

/** Per stage, the block indices its keys use and, per block, the highest split conv index (-1: none). */
type StageIndex = Map<number, number>;

/** One pass over the keys: 'resnet.layer<L>.<block>.' and 'resnet.layer<L>.<block>.convs.<i>.' indices. */
function indexStages(r: WeightReader): StageIndex[] {
  const stages = Array.from({ length: 4 }, (): StageIndex => new Map());
  const check = (key: string, digits: string, limit: number, what: string): number => {
    const n = Number(digits);
    if (n >= limit)
      throw new Error(`${r.source}: key '${key}' has ${what} index ${digits}, above ${limit - 1}, the largest a PraNet stage may have (is the file corrupt?)`);
    return n;
  };
  for (const key of r.keys()) {
    const m = /^resnet\.layer([1-4])\.(\d+)\.(?:convs\.(\d+)\.)?/.exec(key);
    if (!m) continue;
    const stage = stages[Number(m[1]) - 1]!;
    const block = check(key, m[2]!, CONFIG_LIMITS.blocks, 'block');
    const conv = m[3] === undefined ? -1 : check(key, m[3], CONFIG_LIMITS.splits - 1, 'split conv');
    stage.set(block, Math.max(stage.get(block) ?? -1, conv));
  }
  return stages;
}

/**
 * Reads the configuration from tensor shapes. Each number has several sources (a conv and its batchnorm, or
 * the next layer's input), so one missing or broken key does not stop the conversion: the builder then
 * reports it with every other problem at once. Depths come from the highest block index present, so a
 * missing block key is reported as missing rather than cutting the stage short.
 */
export function inferConfig(r: WeightReader): PraNetConfig {
  const unknown: string[] = [];
  const dim = (what: string, sources: readonly Source[], limit = CONFIG_LIMITS.channels): number => {
    for (const [key, dims, axis] of sources) {
      const s = r.shapeOf(key);
      if (!s || s.length !== dims || s[axis]! < 1) continue;
      if (s[axis]! > limit) {
        throw new Error(`${r.source}: tensor '${key}' has shape [${s.join(', ')}], which makes ${what} ${s[axis]}; at most ${limit} is plausible for PraNet`);
      }
      return s[axis]!;
    }
    unknown.push(`${what} (from ${sources.map(([k, d]) => `'${k}' with ${d} dimensions`).join(' or ')})`);
    return 1;
  };
  const indices = indexStages(r);
  const stem = dim('the stem width', [
    ['resnet.conv1.0.weight', 4, 0],
    ['resnet.conv1.1.weight', 1, 0],
    ['resnet.conv1.3.weight', 4, 1],
  ]);
  const stemOut = dim('the stem output width', [
    ['resnet.conv1.6.weight', 4, 0],
    ['resnet.bn1.weight', 1, 0],
    ['resnet.layer1.0.conv1.weight', 4, 1],
  ]);
  const stages = [1, 2, 3, 4].map((L): StageConfig => {
    const layer = `resnet.layer${L}`;
    const index = indices[L - 1]!;
    const blocks = index.size === 0 ? 0 : Math.max(...index.keys()) + 1;
    if (blocks === 0) unknown.push(`the depth of ${layer} (no key starts with '${layer}.')`);
    const convs = index.size === 0 ? 0 : Math.max(...index.values()) + 1;
    if (blocks > 0 && convs === 0) unknown.push(`the number of splits of ${layer} (no key '${layer}.<block>.convs.<i>.weight')`);
    const width = dim(`the split width of ${layer}`, [
      [`${layer}.0.convs.0.weight`, 4, 0],
      [`${layer}.0.bns.0.weight`, 1, 0],
      [`${layer}.1.convs.0.weight`, 4, 0],
    ]);
    const out = dim(`the output width of ${layer}`, [
      [`${layer}.0.conv3.weight`, 4, 0],
      [`${layer}.0.bn3.weight`, 1, 0],
      [`${layer}.1.conv3.weight`, 4, 0],
    ]);
    return { blocks: Math.max(blocks, 1), width, scale: convs + 1, out };
  }) as PraNetConfig['stages'];
  const config: PraNetConfig = {
    stem,
    stemOut,
    stages,
    channel: dim('the RFB width', [
      ['rfb2_1.branch0.0.conv.weight', 4, 0],
      ['rfb3_1.branch0.0.conv.weight', 4, 0],
      ['rfb4_1.branch0.0.conv.weight', 4, 0],
    ]),
    ra4: dim('the RA4 width', [
      ['ra4_conv1.conv.weight', 4, 0],
      ['ra4_conv2.conv.weight', 4, 1],
    ]),
    ra4Kernel: dim(
      'the RA4 kernel size',
      [
        ['ra4_conv2.conv.weight', 4, 2],
        ['ra4_conv3.conv.weight', 4, 2],
      ],
      CONFIG_LIMITS.kernel,
    ),
    ra3: dim('the RA3 width', [
      ['ra3_conv1.conv.weight', 4, 0],
      ['ra3_conv2.conv.weight', 4, 1],
    ]),
    ra2: dim('the RA2 width', [
      ['ra2_conv1.conv.weight', 4, 0],
      ['ra2_conv2.conv.weight', 4, 1],
    ]),
  };
  if (unknown.length > 0) {
    const prefix = keyPrefix(r);
    if (prefix !== undefined) {
      // A PraNet saved inside another module: every key wears the module's name, and nothing else is wrong.
      throw new Error(
        `${r.source}: its keys start with '${prefix}' (e.g. '${prefix}resnet.conv1.0.weight'), where PraNet's have no prefix: ` +
          `save the PraNet module's own state_dict(), or strip '${prefix}' from the keys`,
      );
    }
    const keys = [...r.keys()];
    const some =
      keys.length > 0
        ? ` (the file's keys begin ${keys
            .slice(0, 3)
            .map((k) => `'${k}'`)
            .join(', ')}${keys.length > 3 ? ', ...' : ''})`
        : ' (the file holds no tensors)';
    throw new Error(`${r.source}: cannot tell the PraNet configuration from the tensor shapes${some}; not found: ${unknown.join('; ')}`);
  }
  return config;
}

/** The prefix every PraNet key of the file wears ('net.' in 'net.resnet.conv1.0.weight'), if that is what is wrong. */
function keyPrefix(r: WeightReader): string | undefined {
  if (r.has('resnet.conv1.0.weight')) return undefined;
  const stem = [...r.keys()].find((k) => k.endsWith('.resnet.conv1.0.weight'));
  return stem?.slice(0, -'resnet.conv1.0.weight'.length);
}
