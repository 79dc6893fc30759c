/**
 * The ROC curve of a holdout, small enough to keep in the registry: the true-positive rate at the
 * false-positive rates 0, 0.01, …, 1 (101 points), read off the exact curve (one vertex per
 * distinct score, highest first; tied scores give a diagonal segment, interpolated linearly — the
 * same convention as the ROC-AUC, which counts ties ½). Rates are rounded to 4 decimals.
 */
import { checkScoredLabels, indicesByScoreDesc, type Labels, type Scores } from './scored-labels.ts';

/** Points on the FPR grid: 100 steps. */
export const ROC_STEPS = 100;

/** [fpr, tpr] pairs, fpr ascending from 0 to 1; undefined when the labels hold a single class. */
export function rocCurve(labels: Labels, scores: Scores, steps = ROC_STEPS): [number, number][] | undefined {
  checkScoredLabels(labels, scores, 'roc_curve');
  const vertices = rocVertices(labels, scores);
  if (vertices === undefined) return undefined;
  const out: [number, number][] = [];
  let j = 0;
  for (let s = 0; s <= steps; s++) {
    const x = s / steps;
    // the last vertex at or left of x (the top of a vertical segment at x)
    while (j + 1 < vertices.length && (vertices[j + 1] as [number, number])[0] <= x) j++;
    const [f0, t0] = vertices[j] as [number, number];
    const next = vertices[j + 1];
    const y = next === undefined || f0 === x ? t0 : t0 + ((next[1] - t0) * (x - f0)) / (next[0] - f0);
    out.push([x, round4(y)]);
  }
  return out;
}

/** The exact curve's vertices from (0, 0) to (1, 1). */
function rocVertices(labels: Labels, scores: Scores): [number, number][] | undefined {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  const order = indicesByScoreDesc(scores);
  const vertices: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length;) {
    const s = scores[order[i] as number];
    while (i < order.length && scores[order[i] as number] === s) {
      if (labels[order[i] as number] === 1) tp++;
      else fp++;
      i++;
    }
    vertices.push([fp / negatives, tp / positives]);
  }
  return vertices;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
