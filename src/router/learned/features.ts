/**
 * Feature extraction for the learned router: hashed word, word-bigram and character n-gram features,
 * plus a few dozen dense counts (length, numbers, maths and code markers, answer choices, multi-step
 * words, turns). Everything is hashed while scanning, so extraction allocates nothing but one
 * lower-cased copy per turn; the buffer is reused across calls.
 */
import type { RouterInput } from './conversation.js';
import { conversationTurns, type Turn } from './conversation.js';
import { FNV_OFFSET, combine, finalize, fnvStep, hashString } from './hash.js';

/** Sparse groups; each is scaled to unit-ish norm (1/√count) so long prompts do not dominate. */
export const GROUPS = ['word', 'bigram', 'char', 'lead', 'bin', 'kword'] as const;
const G_WORD = 0;
/** Whether a sparse group feeds the topic classifier (topic.ts). */
export function isTopicGroup(g: number): boolean {
  return g === G_WORD;
}
const G_BIGRAM = 1;
const G_CHAR = 2;
const G_LEAD = 3;
const G_BIN = 4;
/** Word unigrams again, hashed with the prompt kind (multiple-choice or open). */
const G_KWORD = 5;
const GROUP_SEEDS = GROUPS.map((g) => finalize(hashString(g)));

/** Dense features, raw; the model log-transforms and standardizes them. */
export const DENSE = [
  'chars', 'words', 'turns', 'userTurns', 'otherTurns', 'systemChars', 'lastUserChars', 'numbers',
  'maxDigits', 'decimals', 'mathOps', 'latex', 'codeMarks', 'newlines', 'sentences', 'questionMarks',
  'choiceLines', 'choiceChars', 'stepWords', 'negations', 'capitalized', 'longWords', 'nonAscii',
  'statements', 'howMany', 'percents', 'currency', 'commas', 'fractionWords', 'numberWords', 'avgWordLen', 'topicGain',
] as const;
export type DenseName = (typeof DENSE)[number];
const D = Object.fromEntries(DENSE.map((n, i) => [n, i])) as Record<DenseName, number>;

/** Dense features that are already ratios/averages: not binned on a log scale. */
const NOT_COUNTS = new Set<number>([D.avgWordLen, D.topicGain]);
/** Filled in by the topic classifier after extraction (topic.ts), not from the text scan. */
export const TOPIC_GAIN = D.topicGain;

export interface FeatureSpec {
  /** log2 of the hashed table size. */
  hashBits: number;
  /** Character n-gram lengths (digits folded to '0', whitespace runs to one space). */
  charN: number[];
}

export const DEFAULT_SPEC: FeatureSpec = { hashBits: 18, charN: [3, 4, 5] };

const STEP_WORDS = ['each', 'per', 'every', 'total', 'remaining', 'rest', 'twice', 'half', 'percent', 'times',
  'more', 'less', 'than', 'after', 'left', 'then', 'spends', 'earns', 'costs', 'remainder', 'average', 'rate'];
const NEGATIONS = ['not', 'except', 'false', 'incorrect', 'least', 'never', 'neither', 'nor', 'cannot'];
const KW_STEP = 1;
const KW_NEG = 2;
const KW_STATEMENT = 3;
const KW_HOW = 4;
const KW_MANY = 5;
const KW_FRACTION = 6;
const KW_NUMBER = 7;
const KEYWORDS = new Map<number, number>();
for (const w of STEP_WORDS) KEYWORDS.set(hashString(w), KW_STEP);
for (const w of NEGATIONS) KEYWORDS.set(hashString(w), KW_NEG);
KEYWORDS.set(hashString('statement'), KW_STATEMENT);
KEYWORDS.set(hashString('how'), KW_HOW);
KEYWORDS.set(hashString('many'), KW_MANY);
KEYWORDS.set(hashString('much'), KW_MANY);
for (const w of ['half', 'halves', 'third', 'thirds', 'quarter', 'quarters', 'fourth', 'fifth', 'tenth', 'fraction']) KEYWORDS.set(hashString(w), KW_FRACTION);
for (const w of ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'twelve', 'twenty', 'hundred', 'thousand',
  'dozen', 'double', 'triple', 'twice', 'thrice']) KEYWORDS.set(hashString(w), KW_NUMBER);

/** Reusable output of one extraction: sparse (index, value) pairs and the raw dense vector. */
export class FeatureBuffer {
  idx = new Int32Array(8192);
  val = new Float32Array(8192);
  group = new Uint8Array(8192);
  n = 0;
  readonly dense = new Float64Array(DENSE.length);

  reset(): void {
    this.n = 0;
    this.dense.fill(0);
  }

  push(index: number, group: number): void {
    if (this.n === this.idx.length) this.grow();
    this.idx[this.n] = index;
    this.val[this.n] = 1;
    this.group[this.n] = group;
    this.n++;
  }

  private grow(): void {
    const size = this.idx.length * 2;
    const idx = new Int32Array(size); idx.set(this.idx); this.idx = idx;
    const val = new Float32Array(size); val.set(this.val); this.val = val;
    const group = new Uint8Array(size); group.set(this.group); this.group = group;
  }
}

function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;

/** Words, bigrams, lead words and word-level dense counts of one lower-cased turn. */
function scanWords(lower: string, original: string, mask: number, buf: FeatureBuffer): void {
  const dense = buf.dense;
  const kindSeed = GROUP_SEEDS[G_KWORD] + promptKind(buf);
  let prev = 0;
  let hasPrev = false;
  let wordsInTurn = 0;
  const len = lower.length;
  let i = 0;
  while (i < len) {
    const c = lower.charCodeAt(i);
    if (!isWordCode(c)) { i++; continue; }
    const start = i;
    let h = FNV_OFFSET;
    let digits = true;
    while (i < len) {
      const d = lower.charCodeAt(i);
      if (!isWordCode(d)) break;
      if (!isDigit(d)) digits = false;
      h = fnvStep(h, d);
      i++;
    }
    const wlen = i - start;
    dense[D.words]++;
    if (wlen >= 10) dense[D.longWords]++;
    dense[D.avgWordLen] += wlen;
    const oc = original.charCodeAt(start);
    if (oc >= 65 && oc <= 90) dense[D.capitalized]++;
    if (digits) {
      dense[D.numbers]++;
      if (wlen > dense[D.maxDigits]) dense[D.maxDigits] = wlen;
      // Numbers generalize by shape ("a 3-digit number"); small ones also by value (choice labels, counts).
      const shape = fnvStep(fnvStep(FNV_OFFSET, 35), 48 + Math.min(wlen, 9));
      if (wlen > 3) h = shape;
      else buf.push(finalize(shape ^ GROUP_SEEDS[G_WORD]) & mask, G_WORD);
    } else {
      const kw = KEYWORDS.get(h);
      if (kw === KW_STEP) dense[D.stepWords]++;
      else if (kw === KW_NEG) dense[D.negations]++;
      else if (kw === KW_STATEMENT) dense[D.statements]++;
      else if (kw === KW_FRACTION) dense[D.fractionWords]++;
      else if (kw === KW_NUMBER) dense[D.numberWords]++;
      else if (kw === KW_MANY && hasPrev && KEYWORDS.get(prev) === KW_HOW) dense[D.howMany]++;
    }
    buf.push(finalize(h ^ GROUP_SEEDS[G_WORD]) & mask, G_WORD);
    buf.push(finalize(h ^ kindSeed) & mask, G_KWORD);
    if (hasPrev) buf.push(combine(prev, h ^ GROUP_SEEDS[G_BIGRAM]) & mask, G_BIGRAM);
    // The opening words say what kind of request it is ("write", "prove", "how many", "translate").
    if (wordsInTurn < 2) buf.push(combine(h, GROUP_SEEDS[G_LEAD] + wordsInTurn) & mask, G_LEAD);
    wordsInTurn++;
    prev = h;
    hasPrev = true;
  }
}

// Scratch reused by every extraction (extraction is synchronous, so sharing is safe).
const RING = new Int32Array(8); // the last characters, folded
const GROUP_COUNTS = new Int32Array(GROUPS.length);
const GROUP_SCALE = new Float32Array(GROUPS.length);

/** Character n-grams and character-level dense counts of one lower-cased turn. */
function scanChars(lower: string, spec: FeatureSpec, mask: number, buf: FeatureBuffer): void {
  const dense = buf.dense;
  const maxN = spec.charN.length ? spec.charN[spec.charN.length - 1] : 0;
  const ring = RING.fill(0);
  let filled = 0;
  let lastWasSpace = true;
  let lineStart = true;
  let inChoice = false;
  const len = lower.length;
  for (let i = 0; i < len; i++) {
    let c = lower.charCodeAt(i);
    const next = i + 1 < len ? lower.charCodeAt(i + 1) : 32;
    // Character-level counts.
    if (c === 10) { dense[D.newlines]++; lineStart = true; inChoice = false; }
    else if (lineStart && !isSpace(c)) {
      lineStart = false;
      // "A." / "B)" at the start of a line: a multiple-choice option.
      if (c >= 97 && c <= 106 && (next === 46 || next === 41)) { dense[D.choiceLines]++; inChoice = true; }
    }
    if (inChoice) dense[D.choiceChars]++;
    if (c === 43 || c === 42 || c === 61 || c === 94 || c === 60 || c === 62 || c === 215 || c === 247) dense[D.mathOps]++;
    else if (c === 47 && i > 0 && isDigit(lower.charCodeAt(i - 1))) dense[D.mathOps]++;
    else if (c === 92 || c === 36) { if (c === 92) dense[D.latex]++; else if (isDigit(next)) dense[D.currency]++; else dense[D.latex]++; }
    else if (c === 96 || c === 59 || c === 123 || c === 125) dense[D.codeMarks]++;
    else if (c === 63) { dense[D.questionMarks]++; dense[D.sentences]++; }
    else if ((c === 46 || c === 33) && isSpace(next)) dense[D.sentences]++;
    else if (c === 37) dense[D.percents]++;
    else if (c === 44) dense[D.commas]++;
    else if (c === 46 && i > 0 && isDigit(lower.charCodeAt(i - 1)) && isDigit(next)) dense[D.decimals]++;
    else if (c >= 0x80) dense[D.nonAscii]++;
    // Character n-grams over a folded stream: digits → '0', whitespace runs → one space.
    if (isSpace(c)) {
      if (lastWasSpace) continue;
      c = 32;
      lastWasSpace = true;
    } else {
      lastWasSpace = false;
      if (isDigit(c)) c = 48;
    }
    for (let k = ring.length - 1; k > 0; k--) ring[k] = ring[k - 1];
    ring[0] = c;
    if (filled < maxN) filled++;
    let h = GROUP_SEEDS[G_CHAR];
    let n = 0;
    for (const want of spec.charN) {
      if (want > filled) break;
      while (n < want) { h = fnvStep(h, ring[n]); n++; }
      buf.push(finalize(h) & mask, G_CHAR);
    }
  }
}

/** Emits a hashed indicator for the log-scale bin of each dense count (cheap non-linearity). */
function binDense(mask: number, buf: FeatureBuffer): void {
  const dense = buf.dense;
  const kind = promptKind(buf) << 30;
  for (let j = 0; j < dense.length; j++) {
    if (j === TOPIC_GAIN) continue;
    const raw = dense[j];
    const bin = NOT_COUNTS.has(j) ? Math.min(40, Math.round(raw * 2)) : Math.min(40, Math.round(2 * Math.log2(1 + raw)));
    buf.push(finalize(GROUP_SEEDS[G_BIN] ^ Math.imul(j + 1, 0x9e3779b1) ^ (bin << 24) ^ kind) & mask, G_BIN);
  }
}

/** Extracts features of a whole conversation into `buf` (reset first), values scaled per group. */
export function extractFeatures(input: RouterInput, spec: FeatureSpec, buf: FeatureBuffer): void {
  buf.reset();
  const mask = (1 << spec.hashBits) - 1;
  const dense = buf.dense;
  const turns = conversationTurns(input);
  // System/developer turns describe the application, not this request, and are often thousands of
  // tokens of boilerplate that would dilute the question's features: only their length is counted.
  const isTask = (t: Turn): boolean => t.role !== 'system' && t.role !== 'developer';
  // Characters first: the prompt kind (multiple-choice or not) must be known before words are hashed.
  for (const t of turns) if (isTask(t)) scanChars(t.text.toLowerCase(), spec, mask, buf);
  for (const t of turns) {
    if (!isTask(t)) { dense[D.systemChars] += t.text.length; continue; }
    dense[D.turns]++;
    dense[D.chars] += t.text.length;
    if (t.role === 'user') { dense[D.userTurns]++; dense[D.lastUserChars] = t.text.length; }
    else dense[D.otherTurns]++;
    scanWords(t.text.toLowerCase(), t.text, mask, buf);
  }
  if (dense[D.words] > 0) dense[D.avgWordLen] /= dense[D.words];
  binDense(mask, buf);
  // Per-group scaling: each group's vector gets norm ≈ 1 however long the text is.
  const counts = GROUP_COUNTS.fill(0);
  for (let k = 0; k < buf.n; k++) counts[buf.group[k]]++;
  const scale = GROUP_SCALE;
  for (let g = 0; g < GROUPS.length; g++) scale[g] = counts[g] ? 1 / Math.sqrt(counts[g]) : 0;
  for (let k = 0; k < buf.n; k++) buf.val[k] = scale[buf.group[k]];
}

/**
 * Model inputs from the raw dense counts: counts → log1p, averages kept; then the same values again,
 * gated on the prompt being multiple-choice. A count (of numbers, of words) means different things in
 * a four-option question and in an open word problem; the gated copy lets the model tell them apart.
 */
export const DENSE_INPUTS = DENSE.length * 2;

/** Multiple-choice prompts: at least two lines that open with an option letter ("A.", "B)"). */
function isChoice(rawChoiceLines: number): boolean {
  return rawChoiceLines >= 1.5; // ≥ 2 lines, robust to the log1p/expm1 round trip

}

export function promptKind(buf: FeatureBuffer): number {
  return isChoice(buf.dense[D.choiceLines]) ? 1 : 0;
}

export function denseInputs(raw: Float64Array, out: Float64Array): void {
  const len = raw.length;
  const choice = isChoice(raw[D.choiceLines]);
  for (let j = 0; j < len; j++) {
    const v = NOT_COUNTS.has(j) ? raw[j] : Math.log1p(raw[j]);
    out[j] = v;
    out[len + j] = choice ? v : 0;
  }
}

/** Sets the topic prior in already-transformed inputs (training fills it in after extraction). */
export function setTopicInput(inputs: Float64Array, value: number): void {
  const len = DENSE.length;
  inputs[TOPIC_GAIN] = value;
  inputs[len + TOPIC_GAIN] = isChoice(Math.expm1(inputs[D.choiceLines])) ? value : 0;
}
