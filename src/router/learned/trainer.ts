/**
 * The whole training run behind `switchyard router train`: cross-validate (so the figures printed
 * are on prompts the model did not see), fit the calibration on those out-of-fold scores, then fit
 * the shipped model on every row.
 */
import type { OutcomeRow } from './data.js';
import { DEFAULT_SPEC } from './features.js';
import { routerReport, type RouterReport } from './metrics.js';
import type { Calibration, LinearModel } from './model.js';
import { crossValidate, fitRecipe, prepare, setWeights, targetOf, type Recipe } from './recipe.js';
import { DEFAULT_FIT } from './train.js';

/** Chosen by cross-validated APGR on ../shared/routing-data (docs/router.md has the comparison). */
export const DEFAULT_RECIPE: Recipe = {
  spec: { ...DEFAULT_SPEC, hashBits: 16 },
  target: 'gain',
  fit: { ...DEFAULT_FIT, l2: 25, l2Dense: 25 },
  subjectSmoothing: 0,
  topicBits: 13,
};

export interface SetReport {
  set: string;
  rows: number;
  learned: RouterReport;
  length: RouterReport;
}

export interface TrainResult {
  model: LinearModel;
  /** Out-of-fold raw scores, in row order. */
  oof: Float64Array;
  sets: SetReport[];
  folds: number;
}

export interface TrainOptions {
  folds: number;
  recipe?: Recipe;
  /** Progress lines (the CLI prints them to stderr). */
  log?: (line: string) => void;
}

/** Per-set reports of `scores` beside the prompt-length baseline. */
export function reportBySet(rows: readonly OutcomeRow[], scores: ArrayLike<number>, lengths: ArrayLike<number>): SetReport[] {
  const sets = [...new Set(rows.map((r) => r.set))];
  return sets.map((set) => {
    const idx: number[] = [];
    rows.forEach((r, i) => { if (r.set === set) idx.push(i); });
    const outcomes = idx.map((i) => rows[i]);
    return {
      set,
      rows: idx.length,
      learned: routerReport(idx.map((i) => scores[i]), outcomes),
      length: routerReport(idx.map((i) => lengths[i]), outcomes),
    };
  });
}

/**
 * Least squares of the target on the out-of-fold scores, each set weighted as in training, so a
 * calibrated score reads as "expected accuracy gained by calling the strong model".
 */
export function fitCalibration(rows: readonly OutcomeRow[], oof: ArrayLike<number>, target: Recipe['target']): Calibration {
  const w = setWeights(rows);
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  rows.forEach((r, i) => {
    const x = oof[i];
    const y = targetOf(r, target);
    sw += w[i]; sx += w[i] * x; sy += w[i] * y; sxx += w[i] * x * x; sxy += w[i] * x * y;
  });
  const vx = sxx / sw - (sx / sw) ** 2;
  const slope = vx > 1e-12 ? (sxy / sw - (sx / sw) * (sy / sw)) / vx : 1;
  // A negative slope would invert the ranking the folds just validated; keep the order instead.
  const s = slope > 0 ? slope : 1;
  return { slope: s, intercept: sy / sw - s * (sx / sw) };
}

export function promptLength(row: OutcomeRow): number {
  if (typeof row.input === 'string') return row.input.length;
  let n = 0;
  for (const m of row.input) if (typeof m.content === 'string') n += m.content.length;
  return n;
}

export function trainRouter(rows: readonly OutcomeRow[], opts: TrainOptions): TrainResult {
  const recipe = opts.recipe ?? DEFAULT_RECIPE;
  const log = opts.log ?? (() => {});
  if (rows.length < opts.folds * 2) throw new RangeError(`need at least ${opts.folds * 2} rows for ${opts.folds}-fold cross-validation`);
  const examples = prepare(rows, recipe.spec);
  log(`features: ${rows.length} rows, ${opts.folds}-fold cross-validation…`);
  const oof = crossValidate(rows, examples, recipe, opts.folds);
  const sets = reportBySet(rows, oof, rows.map(promptLength));
  for (const s of sets) {
    log(`  ${s.set} (${s.rows} rows): cross-validated APGR ${s.learned.apgr.toFixed(3)}, CPT(50%) ${s.learned.cpt50.toFixed(3)}, `
      + `CPT(80%) ${s.learned.cpt80.toFixed(3)}   [prompt-length baseline APGR ${s.length.apgr.toFixed(3)}]`);
  }
  log('fitting the final model on all rows…');
  const model = fitRecipe(rows, examples, recipe);
  model.calibration = fitCalibration(rows, oof, recipe.target);
  return { model, oof, sets, folds: opts.folds };
}
