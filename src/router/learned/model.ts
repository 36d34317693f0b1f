/**
 * The learned router's model: one linear function over hashed sparse features and standardized dense
 * features, followed by a monotone calibration to "expected accuracy gained by calling the strong
 * model" (so one threshold means the same thing on every kind of prompt).
 */
import type { RouterInput } from './conversation.js';
import { DENSE_INPUTS, FeatureBuffer, TOPIC_GAIN, denseInputs, isTopicGroup, extractFeatures, type FeatureSpec } from './features.js';
import { topicGain, type TopicModel } from './topic.js';

/**
 * A linear map from the raw score to the expected gain in accuracy from calling the strong model,
 * fitted on out-of-fold scores. Linear (not isotonic) so it never creates ties and keeps the ranking.
 */
export interface Calibration {
  slope: number;
  intercept: number;
}

export interface LinearModel {
  spec: FeatureSpec;
  sparse: Float32Array;
  denseW: Float64Array;
  denseMean: Float64Array;
  denseStd: Float64Array;
  bias: number;
  calibration: Calibration | null;
  /** Optional topic prior, fed to the linear part as the `topicGain` dense input. */
  topic: TopicModel | null;
}

export function emptyModel(spec: FeatureSpec): LinearModel {
  return {
    spec,
    sparse: new Float32Array(1 << spec.hashBits),
    denseW: new Float64Array(DENSE_INPUTS),
    denseMean: new Float64Array(DENSE_INPUTS),
    denseStd: new Float64Array(DENSE_INPUTS).fill(1),
    bias: 0,
    calibration: null,
    topic: null,
  };
}

/** The uncalibrated linear score of features already extracted into `buf`. */
export function rawScoreOf(model: LinearModel, buf: FeatureBuffer, scratch: Float64Array): number {
  let s = model.bias;
  const w = model.sparse;
  for (let k = 0; k < buf.n; k++) s += w[buf.idx[k]] * buf.val[k];
  denseInputs(buf.dense, scratch);
  for (let j = 0; j < scratch.length; j++) {
    const sd = model.denseStd[j];
    if (sd > 0) s += model.denseW[j] * (scratch[j] - model.denseMean[j]) / sd;
  }
  return s;
}

export function calibrate(c: Calibration | null, raw: number): number {
  return c ? c.intercept + c.slope * raw : raw;
}

/** Scores conversations with one model, reusing its buffers (not safe to share across threads). */
export class ModelScorer {
  private readonly buf = new FeatureBuffer();
  private readonly scratch = new Float64Array(DENSE_INPUTS);
  private words = new Int32Array(1024);
  private readonly topicScratch = new Float64Array(256);
  constructor(readonly model: LinearModel) {}

  raw(input: RouterInput): number {
    const buf = this.buf;
    extractFeatures(input, this.model.spec, buf);
    if (this.model.topic) {
      let m = 0;
      for (let k = 0; k < buf.n; k++) {
        if (!isTopicGroup(buf.group[k])) continue;
        if (m === this.words.length) { const w = new Int32Array(m * 2); w.set(this.words); this.words = w; }
        this.words[m++] = buf.idx[k];
      }
      // The classifier counts each word once per prompt (as in training): sort, then drop repeats.
      const words = this.words.subarray(0, m).sort();
      let u = 0;
      for (let k = 0; k < m; k++) if (k === 0 || words[k] !== words[k - 1]) words[u++] = words[k];
      buf.dense[TOPIC_GAIN] = topicGain(this.model.topic, words, u, this.topicScratch);
    }
    return rawScoreOf(this.model, this.buf, this.scratch);
  }

  score(input: RouterInput): number {
    return calibrate(this.model.calibration, this.raw(input));
  }
}
