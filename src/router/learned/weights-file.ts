/**
 * The weights file: compact JSON. The big tables are quantized (sparse weights to int16, topic
 * log-probabilities to int8) and base64-encoded, which keeps the shipped file near 1 MB instead of
 * the ~5 MB a plain number array would take, at no measurable cost in APGR.
 */
import { z } from 'zod';
import { DENSE, DENSE_INPUTS } from './features.js';
import type { LinearModel } from './model.js';
import type { TopicModel } from './topic.js';

export const WEIGHTS_FORMAT = 'switchyard-router/1';

/** Names of the model's dense inputs: the plain ones, then the multiple-choice-gated copies. */
export const DENSE_INPUT_NAMES = [...DENSE, ...DENSE.map((n) => `${n}|choice`)];

const TopicJson = z.object({
  bits: z.number().int().min(1).max(24),
  classes: z.array(z.string()),
  gain: z.array(z.number()),
  logPrior: z.array(z.number()),
  offset: z.array(z.number()),
  int8: z.string(),
});

const WeightsJson = z.object({
  format: z.literal(WEIGHTS_FORMAT),
  spec: z.object({
    hashBits: z.number().int().min(4).max(24),
    // Ascending and at most 8: the extractor keeps the last 8 characters and stops at the first n too long.
    charN: z.array(z.number().int().min(1).max(8)).refine((a) => a.every((n, i) => i === 0 || n > a[i - 1]), { message: 'must ascend' }),
  }),
  target: z.string(),
  bias: z.number(),
  calibration: z.object({ slope: z.number(), intercept: z.number() }).nullable(),
  dense: z.object({ names: z.array(z.string()), w: z.array(z.number()), mean: z.array(z.number()), std: z.array(z.number()) }),
  sparse: z.object({ scale: z.number(), int16: z.string() }),
  topic: TopicJson.nullable(),
  training: z.record(z.string(), z.unknown()).optional(),
});
export type WeightsJson = z.infer<typeof WeightsJson>;

export class WeightsError extends Error {}

const round = (v: number, digits = 6): number => Number(v.toPrecision(digits));

function encodeTopic(t: TopicModel): z.infer<typeof TopicJson> {
  return {
    bits: t.bits,
    classes: t.classes,
    gain: Array.from(t.gain, (v) => round(v)),
    logPrior: Array.from(t.logPrior, (v) => round(v)),
    offset: Array.from(t.offset, (v) => round(v)),
    int8: Buffer.from(t.table.buffer, t.table.byteOffset, t.table.byteLength).toString('base64'),
  };
}

export function encodeWeights(model: LinearModel, meta: { target: string; training?: Record<string, unknown> }): WeightsJson {
  let max = 0;
  for (const w of model.sparse) max = Math.max(max, Math.abs(w));
  const scale = max > 0 ? max / 32767 : 1;
  // Explicit little-endian, so a file written on one machine reads the same on any other.
  const q = Buffer.alloc(model.sparse.length * 2);
  model.sparse.forEach((w, i) => q.writeInt16LE(Math.max(-32767, Math.min(32767, Math.round(w / scale))), i * 2));
  return {
    format: WEIGHTS_FORMAT,
    spec: { hashBits: model.spec.hashBits, charN: [...model.spec.charN] },
    target: meta.target,
    bias: round(model.bias, 9),
    calibration: model.calibration ? { slope: round(model.calibration.slope), intercept: round(model.calibration.intercept) } : null,
    dense: {
      names: DENSE_INPUT_NAMES,
      w: Array.from(model.denseW, (v) => round(v)),
      mean: Array.from(model.denseMean, (v) => round(v)),
      std: Array.from(model.denseStd, (v) => round(v)),
    },
    sparse: { scale, int16: q.toString('base64') },
    topic: model.topic ? encodeTopic(model.topic) : null,
    ...(meta.training ? { training: meta.training } : {}),
  };
}

function decodeBytes(b64: string, bytes: number, what: string): Buffer {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== bytes) throw new WeightsError(`${what}: expected ${bytes} bytes, got ${buf.length}`);
  return buf;
}

export function decodeWeights(json: unknown): LinearModel {
  const r = WeightsJson.safeParse(json);
  if (!r.success) throw new WeightsError(`not a ${WEIGHTS_FORMAT} weights file: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  const w = r.data;
  // Inputs are positional: a file from another feature version would silently mis-score, so refuse it.
  if (w.dense.names.join(',') !== DENSE_INPUT_NAMES.join(',') || w.dense.w.length !== DENSE_INPUTS) {
    throw new WeightsError('weights were trained with different dense features; retrain with this version');
  }
  const size = 1 << w.spec.hashBits;
  const raw = decodeBytes(w.sparse.int16, size * 2, 'sparse weights');
  const sparse = new Float32Array(size);
  for (let i = 0; i < size; i++) sparse[i] = raw.readInt16LE(i * 2) * w.sparse.scale;
  let topic: TopicModel | null = null;
  if (w.topic) {
    const t = w.topic;
    const K = t.classes.length;
    const bytes = decodeBytes(t.int8, K << t.bits, 'topic table');
    topic = {
      bits: t.bits,
      classes: t.classes,
      gain: Float64Array.from(t.gain),
      logPrior: Float64Array.from(t.logPrior),
      offset: Float64Array.from(t.offset),
      table: new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    };
  }
  return {
    spec: { hashBits: w.spec.hashBits, charN: w.spec.charN },
    sparse,
    denseW: Float64Array.from(w.dense.w),
    denseMean: Float64Array.from(w.dense.mean),
    denseStd: Float64Array.from(w.dense.std),
    bias: w.bias,
    calibration: w.calibration,
    topic,
  };
}
