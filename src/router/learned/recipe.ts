/**
 * What the router is trained to predict, and k-fold cross-validation.
 *
 * Routing prompt i to the strong model changes accuracy by s_i − w_i ∈ {−1, 0, 1}, so the ideal score
 * is E[s − w | prompt]: APGR rewards ranking first the prompts where strong is right *and* weak is
 * wrong. Predicting only "weak is wrong" also ranks first the prompts both models fail, which gain
 * nothing (on MMLU that costs ~0.1 APGR). `gain` regresses s − w directly (the default, chosen by
 * cross-validated APGR; see docs/router.md); the others are kept for comparison and for users whose
 * data has no strong-model outcomes worth trusting.
 */
import { conversationTurns } from './conversation.js';
import type { OutcomeRow } from './data.js';
import { FeatureBuffer, setTopicInput, type FeatureSpec } from './features.js';
import { FNV_OFFSET, finalize, hashString } from './hash.js';
import type { LinearModel } from './model.js';
import { fitTopics, topicGain, type TopicModel, type TopicRow } from './topic.js';
import { DEFAULT_FIT, fitLinear, scoreExamples, toExample, type Example, type FitOptions } from './train.js';

export type Target = 'gain' | 'weak-wrong' | 'helps';
export const TARGETS: readonly Target[] = ['gain', 'weak-wrong', 'helps'];

export interface Recipe {
  spec: FeatureSpec;
  target: Target;
  fit: FitOptions;
  /**
   * Share (0–1) of each row's target replaced by its subject's mean target, for rows with a subject.
   * A single outcome is a very noisy label, the subject mean a clean one; in cross-validation the
   * topic prior (topicBits) did better, so the default is 0.
   */
  subjectSmoothing: number;
  /** log2 of the topic classifier's word table; 0 = no topic prior. */
  topicBits: number;
}

/** Subject means shrunk towards the set mean by this many pseudo-rows. */
const SHRINK = 10;

export function smoothedTargets(rows: readonly OutcomeRow[], target: Target, alpha: number): Float64Array {
  const y = Float64Array.from(rows, (r) => targetOf(r, target));
  if (alpha <= 0) return y;
  const setSum = new Map<string, [number, number]>();
  const subjSum = new Map<string, [number, number]>();
  rows.forEach((r, i) => {
    const a = setSum.get(r.set) ?? [0, 0]; a[0] += y[i]; a[1]++; setSum.set(r.set, a);
    if (r.subject === null) return;
    const key = r.set + '\u0000' + r.subject;
    const b = subjSum.get(key) ?? [0, 0]; b[0] += y[i]; b[1]++; subjSum.set(key, b);
  });
  return Float64Array.from(rows, (r, i) => {
    if (r.subject === null) return y[i];
    const [ss, sn] = setSum.get(r.set) ?? [0, 1];
    const [bs, bn] = subjSum.get(r.set + '\u0000' + r.subject) ?? [0, 0];
    const mean = (bs + SHRINK * ss / sn) / (bn + SHRINK);
    return alpha * mean + (1 - alpha) * y[i];
  });
}

export function targetOf(row: OutcomeRow, target: Target): number {
  const s = row.strongCorrect ? 1 : 0;
  const w = row.weakCorrect ? 1 : 0;
  if (target === 'gain') return s - w;
  if (target === 'weak-wrong') return 1 - w;
  return s === 1 && w === 0 ? 1 : 0;
}

export function lossOf(target: Target): FitOptions['loss'] {
  return target === 'gain' ? 'squared' : 'logistic';
}

export function prepare(rows: readonly OutcomeRow[], spec: FeatureSpec): Example[] {
  const buf = new FeatureBuffer();
  return rows.map((r) => toExample(r.input, spec, buf));
}

/**
 * Row weights that lift small sets: GSM8K's 660 rows would otherwise be drowned by MMLU's 7,000.
 * BALANCE 0 = every row weighs the same, 1 = every set weighs the same; 0.5 was best for both sets
 * in cross-validation (1 helped GSM8K by ~0.005 and cost MMLU ~0.005).
 */
export const BALANCE = 0.5;
export function setWeights(rows: readonly OutcomeRow[]): Float64Array {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.set, (counts.get(r.set) ?? 0) + 1);
  const mean = rows.length / counts.size;
  return Float64Array.from(rows, (r) => Math.pow(mean / (counts.get(r.set) ?? 1), BALANCE));
}

function topicRows(rows: readonly OutcomeRow[], examples: readonly Example[], target: Target): TopicRow[] {
  return rows.map((r, i) => ({ topic: r.subject ?? `set:${r.set}`, target: targetOf(r, target), words: examples[i].words }));
}

/** Copies of `examples` whose topicGain input comes from `topic` (examples are shared across folds). */
function withTopic(examples: readonly Example[], gains: ArrayLike<number>): Example[] {
  return examples.map((e, i) => {
    const dense = Float64Array.from(e.dense);
    setTopicInput(dense, gains[i]);
    return { ...e, dense };
  });
}

export function scoreWithTopic(model: LinearModel, examples: readonly Example[]): Float64Array {
  const topic = model.topic;
  if (!topic) return scoreExamples(model, examples);
  return scoreExamples(model, withTopic(examples, examples.map((e) => topicGain(topic, e.words))));
}

/** Topic gains for training rows from classifiers that did not see them (else the prior looks perfect). */
export function outOfFoldTopicGains(rows: readonly OutcomeRow[], examples: readonly Example[], recipe: Recipe,
  k = 5, seed = 0x5eed): Float64Array {
  const folds = rows.map((r) => foldOf(r, k, seed));
  const all = topicRows(rows, examples, recipe.target);
  const out = new Float64Array(rows.length);
  for (let f = 0; f < k; f++) {
    const model: TopicModel = fitTopics(all.filter((_, i) => folds[i] !== f), recipe.topicBits);
    folds.forEach((g, i) => { if (g === f) out[i] = topicGain(model, examples[i].words); });
  }
  return out;
}

export function fitRecipe(rows: readonly OutcomeRow[], examples: readonly Example[], recipe: Recipe): LinearModel {
  const y = smoothedTargets(rows, recipe.target, recipe.subjectSmoothing);
  const fit = { ...DEFAULT_FIT, ...recipe.fit, loss: lossOf(recipe.target) };
  if (recipe.topicBits <= 0) return fitLinear(examples, y, setWeights(rows), recipe.spec, fit);
  const stacked = withTopic(examples, outOfFoldTopicGains(rows, examples, recipe));
  const model = fitLinear(stacked, y, setWeights(rows), recipe.spec, fit);
  model.topic = fitTopics(topicRows(rows, examples, recipe.target), recipe.topicBits);
  return model;
}

/**
 * Fold of a row from a hash of its normalized text, so exact duplicates (and the same prompt under
 * another id) always land in the same fold: a duplicate across folds would leak its label.
 */
export function foldOf(row: OutcomeRow, k: number, seed = 0): number {
  let text = '';
  for (const t of conversationTurns(row.input)) text += t.text.toLowerCase().replace(/\s+/g, ' ').trim() + '\n';
  return finalize(hashString(text, FNV_OFFSET ^ seed)) % k;
}

/** Out-of-fold raw scores: each row scored by a model that never saw its fold. */
export function crossValidate(rows: readonly OutcomeRow[], examples: readonly Example[], recipe: Recipe,
  k: number, seed = 0): Float64Array {
  const folds = rows.map((r) => foldOf(r, k, seed));
  const out = new Float64Array(rows.length);
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    folds.forEach((g, i) => (g === f ? testIdx : trainIdx).push(i));
    if (testIdx.length === 0) continue;
    const model = fitRecipe(trainIdx.map((i) => rows[i]), trainIdx.map((i) => examples[i]), recipe);
    const s = scoreWithTopic(model, testIdx.map((i) => examples[i]));
    testIdx.forEach((i, j) => { out[i] = s[j]; });
  }
  return out;
}
