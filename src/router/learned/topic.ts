/**
 * The topic prior: a multinomial naive Bayes classifier over hashed words that guesses which topic
 * (MMLU subject, or the set name for rows without one) a prompt belongs to, and returns the expected
 * gain of the strong model under that guess, Σ_k P(k | prompt) · gain_k.
 *
 * Why: on MMLU the subject explains much of where the weak model falls behind (abstract algebra vs
 * marketing), but one outcome per prompt is too noisy for a linear model to learn topics from. Topic
 * labels are clean, so a classifier learns them well; the linear model then takes this prior as one
 * dense input.
 */

export interface TopicModel {
  bits: number;
  classes: string[];
  gain: Float64Array;
  logPrior: Float64Array;
  /** K × 2^bits log P(word bucket | class), quantized: value = q / QUANT; −128 marks an unseen bucket. */
  table: Int8Array;
  /** Per-class offset added back after quantization (the class's least log-probability). */
  offset: Float64Array;
}

const QUANT = 12;
const UNSEEN = -128;
/** Additive smoothing of word counts. */
const ALPHA = 0.1;
/** Class gains are shrunk towards the overall mean by this many pseudo-rows. */
const SHRINK = 10;

export interface TopicRow { topic: string; target: number; words: Int32Array }

export function fitTopics(rows: readonly TopicRow[], bits: number): TopicModel {
  const size = 1 << bits;
  const mask = size - 1;
  const classes = [...new Set(rows.map((r) => r.topic))].sort();
  const K = classes.length;
  const index = new Map(classes.map((c, k) => [c, k]));
  const counts = new Float64Array(K * size);
  const total = new Float64Array(K);
  const seen = new Uint8Array(size);
  const n = new Float64Array(K);
  const sum = new Float64Array(K);
  let all = 0;
  for (const r of rows) {
    const k = index.get(r.topic) ?? 0;
    n[k]++;
    sum[k] += r.target;
    all += r.target;
    for (const w of r.words) { const b = w & mask; counts[k * size + b]++; total[k]++; seen[b] = 1; }
  }
  let vocab = 0;
  for (let b = 0; b < size; b++) vocab += seen[b];
  const mean = rows.length ? all / rows.length : 0;
  const gain = Float64Array.from(n, (nk, k) => (sum[k] + SHRINK * mean) / (nk + SHRINK));
  const logPrior = Float64Array.from(n, (nk) => Math.log((nk + 1) / (rows.length + K)));
  const table = new Int8Array(K * size).fill(UNSEEN);
  const offset = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const denom = total[k] + ALPHA * vocab;
    const floor = Math.log(ALPHA / denom);
    offset[k] = floor;
    for (let b = 0; b < size; b++) {
      if (!seen[b]) continue;
      const lp = Math.log((counts[k * size + b] + ALPHA) / denom) - floor;
      table[k * size + b] = Math.max(-127, Math.min(127, Math.round(lp * QUANT)));
    }
  }
  return { bits, classes, gain, logPrior, table, offset };
}

/** Expected gain under the posterior over topics; `words` are hashed word indices (repeats count). */
export function topicGain(model: TopicModel, words: ArrayLike<number>, count = words.length, scratch?: Float64Array): number {
  const K = model.classes.length;
  if (K === 0) return 0;
  const size = 1 << model.bits;
  const mask = size - 1;
  const lp = scratch && scratch.length >= K ? scratch : new Float64Array(K);
  for (let k = 0; k < K; k++) lp[k] = model.logPrior[k];
  for (let i = 0; i < count; i++) {
    const b = words[i] & mask;
    if (model.table[b] === UNSEEN) continue;
    for (let k = 0; k < K; k++) lp[k] += model.table[k * size + b] / QUANT + model.offset[k];
  }
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (lp[k] > max) max = lp[k];
  let z = 0;
  let g = 0;
  for (let k = 0; k < K; k++) {
    const p = Math.exp(lp[k] - max);
    z += p;
    g += p * model.gain[k];
  }
  return g / z;
}
