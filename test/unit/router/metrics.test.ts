import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apgr, auc, cpt, routerCurve, type Outcome } from '../../../src/router/learned/metrics.js';

// Ten prompts, so every 10% step moves exactly one prompt. Weak is right on 5 (0.5), strong on 8 (0.8).
// Gain of calling strong, s − w: p0–p3 +1, p4–p8 0, p9 −1.
const weak = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
const strong = [1, 1, 1, 1, 0, 1, 1, 1, 1, 0];
const outcomes: Outcome[] = weak.map((w, i) => ({ weakCorrect: w === 1, strongCorrect: strong[i] === 1 }));
const gain = outcomes.map((o) => Number(o.strongCorrect) - Number(o.weakCorrect));
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('a perfect router recovers more than the whole gap (APGR 1.05 by hand)', () => {
  // acc: .5 .6 .7 .8 .9 .9 .9 .9 .9 .9 .8 → trapezoid 0.815 → (0.815 − 0.5) / 0.3
  const c = routerCurve(gain, outcomes);
  assert.deepEqual(c.acc.map((a) => Math.round(a * 10) / 10), [0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8]);
  close(apgr(gain, outcomes), 1.05);
});

test('the weak-first order (strong gets what weak already answers) scores below random', () => {
  // acc: .5 .4 .4 .4 .4 .4 .4 .5 .6 .7 .8 → trapezoid 0.485 → −0.05
  close(apgr(gain.map((g) => -g), outcomes), -0.05);
});

test('CPT interpolates linearly between the sweep points', () => {
  // PGR of the perfect router: 0, 1/3, 2/3, 1, … → 50% at 0.15, 80% at 0.24
  close(cpt(gain, outcomes, 0.5), 0.15);
  close(cpt(gain, outcomes, 0.8), 0.24);
  // Reverse order: PGR −1/3 until 0.6, then 0, 1/3 (0.8), 2/3 (0.9), 1 → 0.85 and 0.94
  close(cpt(gain.map((g) => -g), outcomes, 0.5), 0.85);
  close(cpt(gain.map((g) => -g), outcomes, 0.8), 0.94);
});

test('equal scores keep input order, and the ends are always the weak and the strong model', () => {
  const c = routerCurve(new Array(10).fill(0), outcomes);
  close(c.acc[0], 0.5);
  close(c.acc[10], 0.8);
  close(c.acc[4], 0.9); // p0–p3 moved first
});

test('AUC by hand, ties counted one half', () => {
  close(auc([3, 2, 1], [true, false, false]), 1);
  close(auc([1, 2, 3], [true, false, false]), 0);
  close(auc([1, 1, 0], [true, false, false]), 0.75);
});

test('with n not a multiple of 10, the top round(c·n) prompts go strong', () => {
  // n = 4: c = 0.1 → 0 prompts, 0.2 → 1, 0.3 → 1, 0.4 → 2, … (round half up: 0.5·4 = 2, 0.9·4 = 3.6 → 4)
  const four: Outcome[] = [0, 1, 2, 3].map(() => ({ weakCorrect: false, strongCorrect: true }));
  const c = routerCurve([4, 3, 2, 1], four);
  assert.deepEqual(c.acc, [0, 0, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 1, 1]);
});
