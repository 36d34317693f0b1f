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
 * `<|channel|>` and `<|message|>`. Later occurrences are therefore spelled with two ordinary tokens whose
 * texts concatenate to the same string (`<|chan` + `nel|>`): llama.cpp rejects two tokens with one text, and
 * the text a parser sees is identical. Such tokens are never produced by tokenizing (the tokenizer has no
 * merges, so prompts tokenize byte by byte plus special tokens), only by generation.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const ALIGNMENT = 32;
const EMBED_SCALE = 4;

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

export interface TinyModelSpec {
  arch: TinyArch;
  /**
   * The planted chain: once the last prompt token is `after` (token text, e.g. '\n' or 't'), greedy decoding
   * emits `pieces` (each one token) and then `end` (a special token), or repeats `pieces` forever if `loop`.
   */
  script: { after: string; pieces: string[]; end?: string; loop?: boolean };
  seed?: number;
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

  // Vocabulary: 256 byte tokens, then the planted pieces that need their own token (aliases), then specials.
  const tokens = BYTE_CHARS.slice();
  const types: number[] = tokens.map(() => TokenType.NORMAL);
  const chainIds: number[] = [];
  const used = new Set<number>();
  const idOfByte = (text: string): number | undefined => {
    const b = Buffer.from(text, 'utf8');
    return b.length === 1 ? b[0] : undefined;
  };
  const startId = idOfByte(spec.script.after);
  if (startId === undefined) throw new Error(`script.after must be one byte, got ${JSON.stringify(spec.script.after)}`);
  used.add(startId);
  const pendingSpecial: Array<{ slot: number; text: string }> = [];
  const texts = new Set(tokens.concat(specials));
  const newToken = (text: string): number => {
    tokens.push(encodeBpeText(text)); types.push(TokenType.NORMAL); texts.add(encodeBpeText(text));
    used.add(tokens.length - 1);
    return tokens.length - 1;
  };
  const fresh = (text: string): boolean => {
    const b = idOfByte(text);
    return b !== undefined ? !used.has(b) : !texts.has(encodeBpeText(text)) && !specials.includes(text);
  };
  const take = (text: string): number => {
    const b = idOfByte(text);
    if (b !== undefined) { used.add(b); return b; }
    return newToken(text);
  };
  for (const piece of spec.script.pieces) {
    if (specials.includes(piece) && !pendingSpecial.some((p) => p.text === piece)) {
      // first use of a special token: the real one (its id is known once every alias is placed)
      pendingSpecial.push({ slot: chainIds.length, text: piece });
      chainIds.push(-1);
      continue;
    }
    if (fresh(piece)) { chainIds.push(take(piece)); continue; }
    // A repeat: emit the same text as two tokens not yet in the chain (llama.cpp rejects duplicate texts).
    const chars = Array.from(piece);
    const k = chars.findIndex((_, i) => i > 0 && fresh(chars.slice(0, i).join('')) && fresh(chars.slice(i).join('')));
    if (k < 0) throw new Error(`script piece ${JSON.stringify(piece)} repeats and cannot be split into unused tokens`);
    chainIds.push(take(chars.slice(0, k).join('')), take(chars.slice(k).join('')));
  }
  const firstSpecial = tokens.length;
  for (const s of specials) { tokens.push(s); types.push(TokenType.CONTROL); }
  const specialId = (text: string): number => firstSpecial + specials.indexOf(text);
  for (const p of pendingSpecial) chainIds[p.slot] = specialId(p.text);
  const endId = specialId(end);
  if (endId < firstSpecial) throw new Error(`script.end must be a special token of ${spec.arch}`);

  const nVocab = tokens.length;
  const successor = new Int32Array(nVocab).fill(endId);
  let prev = startId;
  for (const id of chainIds) { successor[prev] = id; prev = id; }
  successor[prev] = spec.script.loop ? chainIds[0] : endId;

  const nEmbd = Math.ceil(nVocab / 32) * 32;
  const nHead = 4, nHeadKv = 2, headDim = 16, nFf = 64;
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
  for (let t = 0; t < nVocab; t++) output[successor[t] * nEmbd + t] = 1;

  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], data: embd },
    ones('output_norm.weight', nEmbd),
    { name: 'output.weight', dims: [nEmbd, nVocab], data: output },
  ];
  const nLayer = spec.arch === 'llama' ? 1 : 2; // gpt-oss alternates sliding-window and full attention layers
  const nExpert = 4, nExpertUsed = 2, nFfExp = 32;
  for (let i = 0; i < nLayer; i++) {
    const p = `blk.${i}.`;
    tensors.push(
      ones(`${p}attn_norm.weight`, nEmbd),
      randTensor(`${p}attn_q.weight`, [nEmbd, nHead * headDim], 0.02),
      randTensor(`${p}attn_k.weight`, [nEmbd, nHeadKv * headDim], 0.02),
      randTensor(`${p}attn_v.weight`, [nEmbd, nHeadKv * headDim], 0.02),
      randTensor(`${p}attn_output.weight`, [nHead * headDim, nEmbd], 0.001),
    );
    if (spec.arch === 'llama') {
      tensors.push(
        ones(`${p}ffn_norm.weight`, nEmbd),
        randTensor(`${p}ffn_gate.weight`, [nEmbd, nFf], 0.02),
        randTensor(`${p}ffn_up.weight`, [nEmbd, nFf], 0.02),
        randTensor(`${p}ffn_down.weight`, [nFf, nEmbd], 0.001),
      );
    } else {
      tensors.push(
        randTensor(`${p}attn_q.bias`, [nHead * headDim], 0.01),
        randTensor(`${p}attn_k.bias`, [nHeadKv * headDim], 0.01),
        randTensor(`${p}attn_v.bias`, [nHeadKv * headDim], 0.01),
        randTensor(`${p}attn_output.bias`, [nEmbd], 0.001),
        randTensor(`${p}attn_sinks.weight`, [nHead], 0.5),
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
    meta[`${a}.attention.sliding_window`] = { t: 'u32', v: 128 };
  }

  const file = encodeGguf(meta, tensors);
  const path = join(dir, name);
  writeFileSync(path, file);
  const plantedText = spec.script.pieces.join('') + (spec.script.loop ? '' : end);
  return { path, vocabSize: nVocab, plantedText, bytes: file.length };
}

/** Greedy output of a looping script after `n` tokens (for max_tokens tests). */
export function loopText(pieces: string[], n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += pieces[i % pieces.length];
  return s;
}
