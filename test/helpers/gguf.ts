/**
 * Generates tiny GGUF v3 models (llama and gpt-oss architectures) whose greedy output is known in advance,
 * so the local provider can be tested end to end on real llama.cpp inference without downloading anything.
 *
 * How the output is planted: every token's embedding is one-hot (scaled by EMBED_SCALE) in a residual stream
 * as wide as the vocabulary. The attention and feed-forward weights are random but tiny, so after all layers
 * the residual still points at the current token. The output matrix then maps token t to successor(t): its
 * row for token j has a 1 in every column t with successor(t) = j. Greedy decoding therefore walks a fixed
 * chain: `script.after` → pieces[0] → pieces[1] → … → `script.end` (or loops back to pieces[0]).
 *
 * A first-order chain cannot emit the same token twice with different successors, yet harmony repeats
 * `<|channel|>` and `<|message|>` (once for analysis, once for final). gpt-oss models therefore get a
 * previous-token attention head in layer 0 (see previousTokenHead), and such a token's successor is chosen
 * by the pair (previous, current). Every emitted token is a real vocabulary token, control tokens included.
 * Piece tokens are never produced by tokenizing (the tokenizer has no merges, so prompts tokenize byte by
 * byte plus special tokens), only by generation.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const ALIGNMENT = 32;
const EMBED_SCALE = 4;
/** Scales every logit, so even sampling at temperature 1 picks the planted token (margins of 12+ logits). */
const OUTPUT_GAIN = 4;

enum ValueType { UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9 }
enum TokenType { NORMAL = 1, CONTROL = 3 }

type MetaValue =
  | { t: 'u32'; v: number } | { t: 'i32'; v: number } | { t: 'f32'; v: number } | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string } | { t: 'strs'; v: string[] } | { t: 'i32s'; v: number[] } | { t: 'f32s'; v: number[] };

interface Tensor { name: string; dims: number[]; data: Float32Array }

/** GPT-2's byte→printable-unicode table: byte-level BPE vocabularies store token text in this form. */
function bytesToUnicode(): string[] {
  const table: string[] = new Array(256);
  const direct = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(direct(b) ? b : next++);
  return table;
}
const BYTE_CHARS = bytesToUnicode();
const encodeBpeText = (text: string): string =>
  Array.from(Buffer.from(text, 'utf8'), (b) => BYTE_CHARS[b]).join('');

/** Seeded xorshift so every generated model is byte-identical across runs. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x100000000 * 2 - 1;
  };
}

class GgufBuffer {
  private chunks: Buffer[] = [];
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.chunks.push(b); }
  i32(v: number): void { const b = Buffer.alloc(4); b.writeInt32LE(v); this.chunks.push(b); }
  u64(v: number): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.chunks.push(b); }
  f32(v: number): void { const b = Buffer.alloc(4); b.writeFloatLE(v); this.chunks.push(b); }
  str(v: string): void { const s = Buffer.from(v, 'utf8'); this.u64(s.length); this.chunks.push(s); }
  raw(b: Buffer): void { this.chunks.push(b); }
  get length(): number { return this.chunks.reduce((n, c) => n + c.length, 0); }
  pad(): void { const r = this.length % ALIGNMENT; if (r) this.chunks.push(Buffer.alloc(ALIGNMENT - r)); }
  toBuffer(): Buffer { return Buffer.concat(this.chunks); }
}

function writeValue(out: GgufBuffer, value: MetaValue): void {
  switch (value.t) {
    case 'u32': out.u32(ValueType.UINT32); out.u32(value.v); break;
    case 'i32': out.u32(ValueType.INT32); out.i32(value.v); break;
    case 'f32': out.u32(ValueType.FLOAT32); out.f32(value.v); break;
    case 'bool': out.u32(ValueType.BOOL); out.raw(Buffer.from([value.v ? 1 : 0])); break;
    case 'str': out.u32(ValueType.STRING); out.str(value.v); break;
    case 'strs': out.u32(ValueType.ARRAY); out.u32(ValueType.STRING); out.u64(value.v.length); value.v.forEach((s) => out.str(s)); break;
    case 'i32s': out.u32(ValueType.ARRAY); out.u32(ValueType.INT32); out.u64(value.v.length); value.v.forEach((n) => out.i32(n)); break;
    case 'f32s': out.u32(ValueType.ARRAY); out.u32(ValueType.FLOAT32); out.u64(value.v.length); value.v.forEach((n) => out.f32(n)); break;
  }
}

/** Serializes metadata and F32 tensors as a GGUF v3 file. */
export function encodeGguf(meta: Record<string, MetaValue>, tensors: Tensor[]): Buffer {
  const out = new GgufBuffer();
  out.u32(GGUF_MAGIC); out.u32(3); out.u64(tensors.length); out.u64(Object.keys(meta).length);
  for (const [key, value] of Object.entries(meta)) { out.str(key); writeValue(out, value); }
  let offset = 0;
  for (const t of tensors) {
    out.str(t.name); out.u32(t.dims.length); t.dims.forEach((d) => out.u64(d));
    out.u32(0); // GGML_TYPE_F32
    out.u64(offset);
    offset += Math.ceil(t.data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  out.pad();
  for (const t of tensors) {
    out.raw(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    out.pad();
  }
  return out.toBuffer();
}

export type TinyArch = 'llama' | 'gpt-oss';
/** A token of the planted output: its text, or one raw byte token (half a UTF-8 character, say). */
export type Piece = string | { byte: number };

export interface TinyModelSpec {
  arch: TinyArch;
  /**
   * The planted chain: once the last prompt token is `after` (token text, e.g. '\n' or 't'), greedy decoding
   * emits `pieces` (each one token) and then `end` (a special token), or repeats `pieces` forever if `loop`.
   */
  script: { after: string; pieces: Piece[]; end?: string; loop?: boolean };
  seed?: number;
  /** Extra size for benchmarks (llama only): more layers and a wider feed-forward, same planted output. */
  size?: { layers?: number; feedForward?: number };
}

export interface TinyModel {
  path: string;
  vocabSize: number;
  /** Text of the planted output, exactly as detokenized (special tokens included). */
  plantedText: string;
  bytes: number;
}

const LLAMA_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
const HARMONY_SPECIALS = ['<|startoftext|>', '<|endoftext|>', '<|start|>', '<|channel|>', '<|message|>',
  '<|end|>', '<|return|>', '<|call|>', '<|constrain|>'];

const CHATML_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Writes a tiny model with a planted greedy output to `dir/name` and describes it. */
export function writeTinyModel(dir: string, name: string, spec: TinyModelSpec): TinyModel {
  const specials = spec.arch === 'llama' ? LLAMA_SPECIALS : HARMONY_SPECIALS;
  const end = spec.script.end ?? (spec.arch === 'llama' ? '<|im_end|>' : '<|return|>');

  // Vocabulary: 256 byte tokens, one token per other distinct piece text, then the special tokens.
  const tokens = BYTE_CHARS.slice();
  const types: number[] = tokens.map(() => TokenType.NORMAL);
  const pieceIds = new Map<string, number>();
  const idOfByte = (text: string): number | undefined => {
    const b = Buffer.from(text, 'utf8');
    return b.length === 1 ? b[0] : undefined;
  };
  const startId = idOfByte(spec.script.after);
  if (startId === undefined) throw new Error(`script.after must be one byte, got ${JSON.stringify(spec.script.after)}`);
  for (const piece of spec.script.pieces) {
    if (typeof piece !== 'string') continue;
    if (idOfByte(piece) !== undefined || specials.includes(piece) || pieceIds.has(piece)) continue;
    tokens.push(encodeBpeText(piece)); types.push(TokenType.NORMAL);
    pieceIds.set(piece, tokens.length - 1);
  }
  const firstSpecial = tokens.length;
  for (const sp of specials) { tokens.push(sp); types.push(TokenType.CONTROL); }
  const specialId = (text: string): number => firstSpecial + specials.indexOf(text);
  const idOf = (piece: Piece): number =>
    typeof piece !== 'string' ? piece.byte : idOfByte(piece) ?? pieceIds.get(piece) ?? specialId(piece);
  if (!specials.includes(end)) throw new Error(`script.end must be a special token of ${spec.arch}`);
  const endId = specialId(end);
  const nVocab = tokens.length;

  // Transitions of the chain. A token met twice with different successors (harmony's second
  // `<|channel|>`) is told apart by the token before it: an override keyed by (previous, current).
  const chain = [startId, ...spec.script.pieces.map(idOf)];
  const successor = new Int32Array(nVocab).fill(endId);
  const decided = new Set<number>();
  const overrides: Array<{ prev: number; cur: number; next: number }> = [];
  const plant = (prev: number, cur: number, next: number): void => {
    if (!decided.has(cur)) { decided.add(cur); successor[cur] = next; return; }
    if (successor[cur] === next) return;
    if (spec.arch !== 'gpt-oss' || prev < 0) {
      throw new Error(`token ${JSON.stringify(tokens[cur])} needs two successors; only gpt-oss models can tell them apart`);
    }
    const o = overrides.find((x) => x.prev === prev && x.cur === cur);
    if (o && o.next !== next) throw new Error(`the pair ${JSON.stringify(tokens[prev] + tokens[cur])} needs two successors`);
    if (!o) overrides.push({ prev, cur, next });
  };
  for (let i = 0; i < chain.length; i++) {
    const next = i + 1 < chain.length ? chain[i + 1] : spec.script.loop ? chain[1] : endId;
    plant(i > 0 ? chain[i - 1] : -1, chain[i], next);
  }
  const featurePrevs = [...new Set(overrides.map((o) => o.prev))];
  const nHead = 4, nHeadKv = 2, headDim = 16, nFf = spec.size?.feedForward ?? 64;
  if (featurePrevs.length > headDim) throw new Error('too many context-dependent successors for one attention head');
  const nEmbd = Math.ceil((nVocab + featurePrevs.length) / 32) * 32;

  const rand = rng(spec.seed ?? 42);
  const randTensor = (name: string, dims: number[], scale: number): Tensor => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rand() * scale;
    return { name, dims, data };
  };
  const ones = (name: string, n: number): Tensor => ({ name, dims: [n], data: new Float32Array(n).fill(1) });

  const embd = new Float32Array(nEmbd * nVocab);
  for (let t = 0; t < nVocab; t++) embd[t * nEmbd + t] = EMBED_SCALE;
  const output = new Float32Array(nEmbd * nVocab);
  for (let t = 0; t < nVocab; t++) output[successor[t] * nEmbd + t] = OUTPUT_GAIN;
  // An override's target scores 0.75 from the current token (below the base successor's 1) plus 0.5 when the
  // previous-token feature is present (equal amplitude in the residual): 1.25 beats 1 only with both.
  for (const o of overrides) {
    output[o.next * nEmbd + o.cur] = 0.75 * OUTPUT_GAIN;
    output[o.next * nEmbd + nVocab + featurePrevs.indexOf(o.prev)] = 0.5 * OUTPUT_GAIN;
  }

  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], data: embd },
    ones('output_norm.weight', nEmbd),
    { name: 'output.weight', dims: [nEmbd, nVocab], data: output },
  ];
  // gpt-oss alternates sliding-window and full attention layers
  const nLayer = spec.arch === 'llama' ? spec.size?.layers ?? 1 : 2;
  const nExpert = 4, nExpertUsed = 2, nFfExp = 32;
  for (let i = 0; i < nLayer; i++) {
    const p = `blk.${i}.`;
    const prevHead = spec.arch === 'gpt-oss' && i === 0;
    tensors.push(ones(`${p}attn_norm.weight`, nEmbd));
    if (prevHead) tensors.push(...previousTokenHead(p, { nEmbd, nVocab, nHead, nHeadKv, headDim, featurePrevs }));
    else {
      tensors.push(
        randTensor(`${p}attn_q.weight`, [nEmbd, nHead * headDim], 0.02),
        randTensor(`${p}attn_k.weight`, [nEmbd, nHeadKv * headDim], 0.02),
        randTensor(`${p}attn_v.weight`, [nEmbd, nHeadKv * headDim], 0.02),
        randTensor(`${p}attn_output.weight`, [nHead * headDim, nEmbd], 0.001),
      );
      if (spec.arch === 'gpt-oss') {
        tensors.push(
          randTensor(`${p}attn_q.bias`, [nHead * headDim], 0.01),
          randTensor(`${p}attn_k.bias`, [nHeadKv * headDim], 0.01),
          randTensor(`${p}attn_v.bias`, [nHeadKv * headDim], 0.01),
          randTensor(`${p}attn_output.bias`, [nEmbd], 0.001),
          randTensor(`${p}attn_sinks.weight`, [nHead], 0.5),
        );
      }
    }
    if (spec.arch === 'llama') {
      tensors.push(
        ones(`${p}ffn_norm.weight`, nEmbd),
        randTensor(`${p}ffn_gate.weight`, [nEmbd, nFf], 0.02),
        randTensor(`${p}ffn_up.weight`, [nEmbd, nFf], 0.02),
        randTensor(`${p}ffn_down.weight`, [nFf, nEmbd], 0.001),
      );
    } else {
      tensors.push(
        ones(`${p}post_attention_norm.weight`, nEmbd),
        randTensor(`${p}ffn_gate_inp.weight`, [nEmbd, nExpert], 0.02),
        randTensor(`${p}ffn_gate_inp.bias`, [nExpert], 0.01),
        randTensor(`${p}ffn_gate_exps.weight`, [nEmbd, nFfExp, nExpert], 0.02),
        randTensor(`${p}ffn_gate_exps.bias`, [nFfExp, nExpert], 0.01),
        randTensor(`${p}ffn_up_exps.weight`, [nEmbd, nFfExp, nExpert], 0.02),
        randTensor(`${p}ffn_up_exps.bias`, [nFfExp, nExpert], 0.01),
        randTensor(`${p}ffn_down_exps.weight`, [nFfExp, nEmbd, nExpert], 0.001),
        randTensor(`${p}ffn_down_exps.bias`, [nEmbd, nExpert], 0.001),
      );
    }
  }

  const a = spec.arch;
  const meta: Record<string, MetaValue> = {
    'general.architecture': { t: 'str', v: a },
    'general.name': { t: 'str', v: `switchyard-tiny-${a}` },
    'general.alignment': { t: 'u32', v: ALIGNMENT },
    [`${a}.context_length`]: { t: 'u32', v: 2048 },
    [`${a}.embedding_length`]: { t: 'u32', v: nEmbd },
    [`${a}.block_count`]: { t: 'u32', v: nLayer },
    [`${a}.feed_forward_length`]: { t: 'u32', v: nFf },
    [`${a}.attention.head_count`]: { t: 'u32', v: nHead },
    [`${a}.attention.head_count_kv`]: { t: 'u32', v: nHeadKv },
    [`${a}.attention.key_length`]: { t: 'u32', v: headDim },
    [`${a}.attention.value_length`]: { t: 'u32', v: headDim },
    [`${a}.rope.dimension_count`]: { t: 'u32', v: headDim },
    [`${a}.rope.freq_base`]: { t: 'f32', v: 10000 },
    [`${a}.attention.layer_norm_rms_epsilon`]: { t: 'f32', v: 1e-5 },
    'tokenizer.ggml.model': { t: 'str', v: 'gpt2' },
    'tokenizer.ggml.pre': { t: 'str', v: 'default' },
    'tokenizer.ggml.tokens': { t: 'strs', v: tokens },
    'tokenizer.ggml.token_type': { t: 'i32s', v: types },
    'tokenizer.ggml.merges': { t: 'strs', v: [] },
    'tokenizer.ggml.bos_token_id': { t: 'u32', v: specialId(a === 'llama' ? '<|endoftext|>' : '<|startoftext|>') },
    'tokenizer.ggml.eos_token_id': { t: 'u32', v: endId },
    'tokenizer.ggml.padding_token_id': { t: 'u32', v: specialId('<|endoftext|>') },
    'tokenizer.ggml.add_bos_token': { t: 'bool', v: false },
  };
  if (a === 'llama') {
    meta['tokenizer.chat_template'] = { t: 'str', v: CHATML_TEMPLATE };
  } else {
    meta[`${a}.expert_count`] = { t: 'u32', v: nExpert };
    meta[`${a}.expert_used_count`] = { t: 'u32', v: nExpertUsed };
    meta[`${a}.expert_feed_forward_length`] = { t: 'u32', v: nFfExp };
    meta[`${a}.attention.sliding_window`] = { t: 'u32', v: 2 }; // layer 0 sees only itself and its predecessor
  }

  const file = encodeGguf(meta, tensors);
  const path = join(dir, name);
  writeFileSync(path, file);
  const bytes = Buffer.concat(spec.script.pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from([p.byte]))));
  const plantedText = bytes.toString('utf8') + (spec.script.loop ? '' : end);
  return { path, vocabSize: nVocab, plantedText, bytes: file.length };
}

/** Greedy output of a looping script after `n` tokens (for max_tokens tests). */
export function loopText(pieces: string[], n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += pieces[i % pieces.length];
  return s;
}

interface HeadShape { nEmbd: number; nVocab: number; nHead: number; nHeadKv: number; headDim: number; featurePrevs: number[] }

const QK = 10; // |q| = |k|: attention logits of ±QK²/4·(1 − cos 1) ≈ ±11 between the two visible positions

/**
 * gpt-oss layer 0 (sliding window of 2: each position sees itself and its predecessor) as a previous-token
 * head. Queries and keys are the same for every token, so the score depends only on the distance: with NEOX
 * RoPE rotating dims (0, 8) by one radian per position, a key set at angle 1 rad is best aligned with a
 * query one position later. The value carries "the attended token is featurePrevs[k]" in dim k, which the
 * output projection writes to residual dim nVocab + k, where the output matrix reads it.
 */
function previousTokenHead(p: string, s: HeadShape): Tensor[] {
  // Every token's normalised embedding is sqrt(nEmbd)·e_t, so a weight of x/sqrt(nEmbd) in every column
  // gives the same query (and key) x for every token.
  const unit = 1 / Math.sqrt(s.nEmbd);
  const wq = new Float32Array(s.nEmbd * s.nHead * s.headDim);
  const wk = new Float32Array(s.nEmbd * s.nHeadKv * s.headDim);
  for (let t = 0; t < s.nVocab; t++) {
    for (let h = 0; h < s.nHead; h++) wq[(h * s.headDim) * s.nEmbd + t] = QK * unit;
    for (let h = 0; h < s.nHeadKv; h++) {
      wk[(h * s.headDim) * s.nEmbd + t] = QK * Math.cos(1) * unit;
      wk[(h * s.headDim + s.headDim / 2) * s.nEmbd + t] = QK * Math.sin(1) * unit;
    }
  }
  // attn_norm turns EMBED_SCALE·e_t into sqrt(nEmbd)·e_t, so 1/sqrt(nEmbd) makes the value exactly 1
  const wv = new Float32Array(s.nEmbd * s.nHeadKv * s.headDim);
  s.featurePrevs.forEach((tok, k) => { wv[k * s.nEmbd + tok] = 1 / Math.sqrt(s.nEmbd); });
  const wo = new Float32Array(s.nHead * s.headDim * s.nEmbd);
  s.featurePrevs.forEach((_, k) => { wo[(s.nVocab + k) * s.nHead * s.headDim + k] = EMBED_SCALE; });
  const zero = (n: number) => new Float32Array(n);
  return [
    { name: `${p}attn_q.weight`, dims: [s.nEmbd, s.nHead * s.headDim], data: wq },
    { name: `${p}attn_k.weight`, dims: [s.nEmbd, s.nHeadKv * s.headDim], data: wk },
    { name: `${p}attn_v.weight`, dims: [s.nEmbd, s.nHeadKv * s.headDim], data: wv },
    { name: `${p}attn_output.weight`, dims: [s.nHead * s.headDim, s.nEmbd], data: wo },
    { name: `${p}attn_q.bias`, dims: [s.nHead * s.headDim], data: zero(s.nHead * s.headDim) },
    { name: `${p}attn_k.bias`, dims: [s.nHeadKv * s.headDim], data: zero(s.nHeadKv * s.headDim) },
    { name: `${p}attn_v.bias`, dims: [s.nHeadKv * s.headDim], data: zero(s.nHeadKv * s.headDim) },
    { name: `${p}attn_output.bias`, dims: [s.nEmbd], data: zero(s.nEmbd) },
    { name: `${p}attn_sinks.weight`, dims: [s.nHead], data: zero(s.nHead) },
  ];
}
