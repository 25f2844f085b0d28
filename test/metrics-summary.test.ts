// Presenting dataset results (src/metrics/summary.ts): the JSON field set, the text table and the CSV.
import { expect } from 'chai';
import type { DatasetMetrics, ImageScores } from '../src/metrics/evaluate.js';
import { datasetSummary, formatSummaryTable, imageScoresCsv } from '../src/metrics/summary.js';

const row = (name: string, base: number): ImageScores => ({
  name,
  meanDice: base,
  meanIoU: base / 2,
  wFm: base / 3,
  Sm: base / 4,
  meanEm: base / 5,
  MAE: base / 6,
  dice05: base / 7,
});

const metrics: DatasetMetrics = {
  n: 2,
  mDice: 0.81234,
  mIoU: 0.71,
  wFm: 0.6,
  Sm: 0.5,
  maxEm: 0.99996,
  meanEm: 0.3,
  MAE: 0.04321,
  maxDice: 0.85,
  images: [row('a', 0.9), row('b', 0.7)],
};

describe('metrics: summary presentation', () => {
  it('datasetSummary keeps exactly n and the eight metrics, plus resized only when given', () => {
    const s = datasetSummary(metrics);
    expect(Object.keys(s)).to.deep.equal(['n', 'mDice', 'mIoU', 'wFm', 'Sm', 'maxEm', 'meanEm', 'MAE', 'maxDice']);
    expect(s).to.include({ n: 2, mDice: 0.81234, maxEm: 0.99996, MAE: 0.04321 });
    expect(datasetSummary(metrics, false).resized).to.equal(false);
    expect(datasetSummary(metrics, true).resized).to.equal(true);
  });

  it('formatSummaryTable prints one line per metric with 4 decimals, n last', () => {
    const lines = formatSummaryTable(datasetSummary(metrics)).split('\n');
    expect(lines).to.have.length(10);
    expect(lines[1]).to.match(/^mDice +0\.8123 /);
    expect(lines[3]).to.match(/^wFm \(F\^w_beta\) +0\.6000 /);
    expect(lines[4]).to.match(/^Sm \(S_alpha\) +0\.5000 /);
    expect(lines[5]).to.match(/^maxEm +1\.0000 /);
    expect(lines[9]).to.match(/^n +2 /);
  });

  it('imageScoresCsv: header, one row per image at full precision, quoted names where needed', () => {
    const csv = imageScoresCsv([row('plain', 0.9), row('with,comma "q"', 0.3)]);
    const lines = csv.split('\n');
    expect(lines).to.have.length(4);
    expect(lines[3]).to.equal('');
    expect(lines[0]).to.equal('name,meanDice,meanIoU,wFm,Sm,meanEm,MAE,dice05');
    expect(lines[1]).to.equal(['plain', 0.9, 0.45, 0.9 / 3, 0.225, 0.9 / 5, 0.15, 0.9 / 7].join(','));
    expect(lines[2]!.startsWith('"with,comma ""q""",0.3,')).to.equal(true);
  });
});
