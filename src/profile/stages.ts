// Which part of PraNet a graph node belongs to, read from its name (src/models/pranet-graph.ts names every
// node after the PyTorch module it stands for; copies the planner adds keep their concat's name as prefix).

export const STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'RFB', 'decoder', 'RA4', 'RA3', 'RA2', 'output'] as const;
export type Stage = (typeof STAGES)[number] | 'other';

const RULES: [RegExp, Stage | ((m: RegExpMatchArray) => Stage)][] = [
  [/^resnet\.layer([1-4])\./, (m) => `layer${m[1]}` as Stage],
  [/^resnet\./, 'stem'],
  [/^rfb\d+_1[._]/, 'RFB'],
  [/^agg1[._]/, 'decoder'],
  [/^(?:ra4[._]|crop_4$)/, 'RA4'],
  [/^(?:ra3[._]|crop_3$)/, 'RA3'],
  [/^(?:ra2[._]|crop_2$)/, 'RA2'],
  [/^lateral_map_\d$/, 'output'],
];

/** The stage of a node name; 'other' for a name outside PraNet's (e.g. a post-processing graph's). */
export function stageOf(nodeName: string): Stage {
  for (const [re, stage] of RULES) {
    const m = nodeName.match(re);
    if (m) return typeof stage === 'function' ? stage(m) : stage;
  }
  return 'other';
}
