/**
 * Router quality metrics from RouteLLM (arXiv 2406.18665 §3), computed exactly as
 * ../shared/routing-data/README.md defines them:
 * - sweep the share of strong calls c over 0, 0.1, …, 1 (11 points); at c the top round(c·n) prompts by
 *   score go strong, the rest weak; acc(c) is the accuracy of that mixed assignment;
 * - PGR(c) = (acc(c) − acc(weak)) / (acc(strong) − acc(weak));
 * - APGR = (trapezoid integral of acc over the 11 points, step 0.1, − acc(weak)) / (acc(strong) − acc(weak));
 * - CPT(x) = the least share of strong calls at which PGR reaches x, linearly interpolated between points.
 * Ties in score keep input order (a stable sort), so a constant score is the weak-only order.
 */

export interface Outcome {
  weakCorrect: boolean;
  strongCorrect: boolean;
}

export interface RouterCurve {
  /** Shares of strong calls: 0, 0.1, …, 1. */
  shares: number[];
  acc: number[];
  pgr: number[];
  weakAcc: number;
  strongAcc: number;
}

const POINTS = 11;

/** Indices sorted by descending score; stable, so equal scores keep input order. */
function rankDescending(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => (scores[b] - scores[a]) || (a - b));
  return order;
}

export function routerCurve(scores: ArrayLike<number>, outcomes: readonly Outcome[]): RouterCurve {
  const n = outcomes.length;
  if (n === 0 || scores.length !== n) throw new RangeError('routerCurve: need one score per outcome, n > 0');
  const order = rankDescending(scores);
  let weakTotal = 0;
  let strongTotal = 0;
  for (const o of outcomes) {
    weakTotal += o.weakCorrect ? 1 : 0;
    strongTotal += o.strongCorrect ? 1 : 0;
  }
  const shares: number[] = [];
  const acc: number[] = [];
  // Walk the ranking once: moving prompt i from weak to strong changes the correct count by s_i − w_i.
  let correct = weakTotal;
  let moved = 0;
  for (let k = 0; k < POINTS; k++) {
    const share = k / (POINTS - 1);
    const target = Math.round(share * n);
    while (moved < target) {
      const o = outcomes[order[moved]];
      correct += (o.strongCorrect ? 1 : 0) - (o.weakCorrect ? 1 : 0);
      moved++;
    }
    shares.push(share);
    acc.push(correct / n);
  }
  const weakAcc = weakTotal / n;
  const strongAcc = strongTotal / n;
  const gap = strongAcc - weakAcc;
  const pgr = acc.map((a) => (gap === 0 ? 0 : (a - weakAcc) / gap));
  return { shares, acc, pgr, weakAcc, strongAcc };
}

/** Area under acc(c) by the trapezoid rule with step 0.1, as a share of the weak→strong gap. */
export function apgrFromCurve(curve: RouterCurve): number {
  const { acc, weakAcc, strongAcc } = curve;
  const step = 1 / (POINTS - 1);
  let area = 0;
  for (let k = 1; k < acc.length; k++) area += (acc[k - 1] + acc[k]) * step / 2;
  const gap = strongAcc - weakAcc;
  return gap === 0 ? 0 : (area - weakAcc) / gap;
}

/**
 * Least share of strong calls at which PGR reaches `target` (0–1, e.g. 0.5 for CPT(50%)), linearly
 * interpolated between the two sweep points around the first crossing. NaN if never reached.
 */
export function cptFromCurve(curve: RouterCurve, target: number): number {
  const { shares, pgr } = curve;
  if (pgr[0] >= target) return shares[0];
  for (let k = 1; k < pgr.length; k++) {
    if (pgr[k] >= target) {
      const t = (target - pgr[k - 1]) / (pgr[k] - pgr[k - 1]);
      return shares[k - 1] + t * (shares[k] - shares[k - 1]);
    }
  }
  return Number.NaN;
}

export function apgr(scores: ArrayLike<number>, outcomes: readonly Outcome[]): number {
  return apgrFromCurve(routerCurve(scores, outcomes));
}

export function cpt(scores: ArrayLike<number>, outcomes: readonly Outcome[], target: number): number {
  return cptFromCurve(routerCurve(scores, outcomes), target);
}

export interface RouterReport { apgr: number; cpt50: number; cpt80: number }

export function routerReport(scores: ArrayLike<number>, outcomes: readonly Outcome[]): RouterReport {
  const curve = routerCurve(scores, outcomes);
  return { apgr: apgrFromCurve(curve), cpt50: cptFromCurve(curve, 0.5), cpt80: cptFromCurve(curve, 0.8) };
}

/** Area under the ROC curve of `scores` for binary `labels` (ties count one half); a sanity metric. */
export function auc(scores: ArrayLike<number>, labels: readonly boolean[]): number {
  const order = rankDescending(scores);
  let pos = 0;
  let neg = 0;
  for (const l of labels) (l ? pos++ : neg++);
  if (pos === 0 || neg === 0) return Number.NaN;
  // Mann–Whitney U over tie groups.
  let negBelow = neg;
  let u = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let p = 0;
    let q = 0;
    while (j < order.length && scores[order[j]] === scores[order[i]]) {
      if (labels[order[j]]) p++; else q++;
      j++;
    }
    negBelow -= q;
    u += p * (negBelow + q / 2);
    i = j;
  }
  return u / (pos * neg);
}
