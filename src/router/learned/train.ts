/**
 * Training for the learned router, in plain TypeScript: weighted ridge regression solved exactly by
 * conjugate gradients on the normal equations (deterministic: no learning rate, no shuffling), and
 * logistic regression by iteratively reweighted least squares on the same solver.
 */
import type { RouterInput } from './conversation.js';
import { DENSE_INPUTS, FeatureBuffer, denseInputs, isTopicGroup, extractFeatures, type FeatureSpec } from './features.js';
import { emptyModel, type LinearModel } from './model.js';

/** One training row: hashed features (deduplicated, sorted) and log-transformed dense inputs. */
export interface Example {
  idx: Int32Array;
  val: Float32Array;
  dense: Float64Array;
  /** Hashed word unigrams in text order, repeats kept (for the topic classifier). */
  words: Int32Array;
}

export function toExample(input: RouterInput, spec: FeatureSpec, buf: FeatureBuffer = new FeatureBuffer()): Example {
  extractFeatures(input, spec, buf);
  const order = Array.from({ length: buf.n }, (_, k) => k).sort((a, b) => buf.idx[a] - buf.idx[b]);
  const idx: number[] = [];
  const val: number[] = [];
  for (const k of order) {
    const i = buf.idx[k];
    if (idx.length && idx[idx.length - 1] === i) val[val.length - 1] += buf.val[k];
    else { idx.push(i); val.push(buf.val[k]); }
  }
  const dense = new Float64Array(DENSE_INPUTS);
  denseInputs(buf.dense, dense);
  const words: number[] = [];
  for (let k = 0; k < buf.n; k++) if (isTopicGroup(buf.group[k])) words.push(buf.idx[k]);
  return { idx: Int32Array.from(idx), val: Float32Array.from(val), dense, words: Int32Array.from(new Set(words)).sort() };
}

export interface FitOptions {
  loss: 'squared' | 'logistic';
  /** Ridge penalty on sparse weights (in units of total sample weight). */
  l2: number;
  /** Ridge penalty on the standardized dense weights. */
  l2Dense: number;
  /** CG iterations per solve. */
  iterations: number;
  /** IRLS steps for the logistic loss. */
  newtonSteps: number;
}

export const DEFAULT_FIT: FitOptions = { loss: 'squared', l2: 1, l2Dense: 1, iterations: 120, newtonSteps: 6 };

/**
 * A design matrix view: column j < hashDim is a sparse feature, then one column per dense feature
 * (standardized), then the intercept (unpenalized).
 */
class Design {
  readonly dim: number;
  readonly hashDim: number;
  readonly nd = DENSE_INPUTS;
  readonly z: Float64Array[];
  constructor(readonly ex: readonly Example[], readonly mean: Float64Array, readonly std: Float64Array, hashBits: number) {
    this.hashDim = 1 << hashBits;
    this.dim = this.hashDim + this.nd + 1;
    this.z = ex.map((e) => {
      const z = new Float64Array(this.nd);
      for (let j = 0; j < this.nd; j++) z[j] = std[j] > 0 ? (e.dense[j] - mean[j]) / std[j] : 0;
      return z;
    });
  }

  /** out[i] = x_i · v */
  mul(v: Float64Array, out: Float64Array): void {
    const { hashDim, nd } = this;
    const b = v[hashDim + nd];
    for (let i = 0; i < this.ex.length; i++) {
      const e = this.ex[i];
      let s = b;
      for (let k = 0; k < e.idx.length; k++) s += e.val[k] * v[e.idx[k]];
      const z = this.z[i];
      for (let j = 0; j < nd; j++) s += z[j] * v[hashDim + j];
      out[i] = s;
    }
  }

  /** out = Σ_i u_i x_i */
  mulT(u: Float64Array, out: Float64Array): void {
    out.fill(0);
    const { hashDim, nd } = this;
    for (let i = 0; i < this.ex.length; i++) {
      const ui = u[i];
      if (ui === 0) continue;
      const e = this.ex[i];
      for (let k = 0; k < e.idx.length; k++) out[e.idx[k]] += ui * e.val[k];
      const z = this.z[i];
      for (let j = 0; j < nd; j++) out[hashDim + j] += ui * z[j];
      out[hashDim + nd] += ui;
    }
  }
}

/** Solves (XᵀWX + Λ) w = XᵀW y by conjugate gradients, warm-started from `w`. */
function ridgeSolve(d: Design, y: Float64Array, sw: Float64Array, penalty: Float64Array, w: Float64Array, iterations: number): void {
  const n = d.ex.length;
  const tmpN = new Float64Array(n);
  const apply = (v: Float64Array, out: Float64Array): void => {
    d.mul(v, tmpN);
    for (let i = 0; i < n; i++) tmpN[i] *= sw[i];
    d.mulT(tmpN, out);
    for (let j = 0; j < out.length; j++) out[j] += penalty[j] * v[j];
  };
  const r = new Float64Array(d.dim);
  const wy = new Float64Array(n);
  for (let i = 0; i < n; i++) wy[i] = sw[i] * y[i];
  d.mulT(wy, r);
  const aw = new Float64Array(d.dim);
  apply(w, aw);
  for (let j = 0; j < r.length; j++) r[j] -= aw[j];
  const p = Float64Array.from(r);
  const ap = new Float64Array(d.dim);
  let rr = dot(r, r);
  const stop = rr * 1e-10;
  for (let it = 0; it < iterations && rr > stop; it++) {
    apply(p, ap);
    const alpha = rr / dot(p, ap);
    for (let j = 0; j < w.length; j++) { w[j] += alpha * p[j]; r[j] -= alpha * ap[j]; }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let j = 0; j < p.length; j++) p[j] = r[j] + beta * p[j];
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/**
 * Fits a linear model to `targets` (any real for squared loss; 0/1 for logistic) with per-row
 * `weights`. Penalties scale with the total weight so the same l2 suits small and large data.
 */
export function fitLinear(examples: readonly Example[], targets: ArrayLike<number>, weights: ArrayLike<number>,
  spec: FeatureSpec, opts: FitOptions = DEFAULT_FIT): LinearModel {
  const n = examples.length;
  const nd = DENSE_INPUTS;
  const mean = new Float64Array(nd);
  const std = new Float64Array(nd);
  for (const e of examples) for (let j = 0; j < nd; j++) mean[j] += e.dense[j] / n;
  for (const e of examples) for (let j = 0; j < nd; j++) std[j] += (e.dense[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < nd; j++) std[j] = Math.sqrt(std[j]) > 1e-9 ? Math.sqrt(std[j]) : 0;
  const d = new Design(examples, mean, std, spec.hashBits);
  const sw = Float64Array.from(weights);
  const total = sw.reduce((a, b) => a + b, 0);
  // Penalties are per unit of data so that l2 means the same at 600 and at 7,000 rows.
  const penalty = new Float64Array(d.dim).fill(opts.l2 * total / 1000);
  for (let j = 0; j < nd; j++) penalty[d.hashDim + j] = opts.l2Dense * total / 1000;
  penalty[d.dim - 1] = 0;
  const w = new Float64Array(d.dim);
  const y = Float64Array.from(targets);
  if (opts.loss === 'squared') {
    ridgeSolve(d, y, sw, penalty, w, opts.iterations);
  } else {
    // IRLS: each Newton step is a weighted ridge solve on the working response.
    const eta = new Float64Array(n);
    const z = new Float64Array(n);
    const iw = new Float64Array(n);
    for (let step = 0; step < opts.newtonSteps; step++) {
      d.mul(w, eta);
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-eta[i]));
        const v = Math.max(p * (1 - p), 1e-4);
        iw[i] = sw[i] * v;
        z[i] = eta[i] + (y[i] - p) / v;
      }
      ridgeSolve(d, z, iw, penalty, w, opts.iterations);
    }
  }
  const model = emptyModel(spec);
  for (let j = 0; j < d.hashDim; j++) model.sparse[j] = w[j];
  for (let j = 0; j < nd; j++) model.denseW[j] = w[d.hashDim + j];
  model.denseMean.set(mean);
  model.denseStd.set(std);
  model.bias = w[d.dim - 1];
  return model;
}

/** Raw linear scores of prepared examples (no re-extraction). */
export function scoreExamples(model: LinearModel, examples: readonly Example[]): Float64Array {
  const out = new Float64Array(examples.length);
  for (let i = 0; i < examples.length; i++) {
    const e = examples[i];
    let s = model.bias;
    for (let k = 0; k < e.idx.length; k++) s += model.sparse[e.idx[k]] * e.val[k];
    for (let j = 0; j < e.dense.length; j++) {
      const sd = model.denseStd[j];
      if (sd > 0) s += model.denseW[j] * (e.dense[j] - model.denseMean[j]) / sd;
    }
    out[i] = s;
  }
  return out;
}
