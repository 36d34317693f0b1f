/**
 * Privacy scanner benchmark: recall on the Presidio synthetic PII set (held-out templates are the
 * reported figure), false positives on prompts without personal data, and scan latency for a
 * ~1,000-token request. Run: `npx tsc -p . && node dist/bench/privacy.js`. Prints markdown.
 */
import { performance } from 'node:perf_hooks';
import { countTokens } from 'gpt-tokenizer';
import { scan } from '../src/router/privacy/scan.js';
import type { EntityType } from '../src/router/privacy/entity.js';
import { hasShared, sharedDir } from '../test/helpers/paths.js';
import {
  KEY_TYPES, falsePositiveRate, loadPresidio, loadRoutingPrompts, loadXstest, requestRecall, type LabelledText,
} from './privacy-data.js';

const flagged = (t: string): boolean => scan(t).sensitive;
const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** Wilson 95% interval: small held-out sets deserve an error bar. */
function wilson(k: number, n: number): string {
  if (n === 0) return '–';
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return `${pct(Math.max(0, c - h))}–${pct(Math.min(1, c + h))}`;
}

function recallRows(all: LabelledText[]): { heldOutKey: number; heldOutAll: number } {
  const splits: Array<[string, LabelledText[]]> = [
    ['held-out templates (reported)', all.filter((t) => t.heldOut)],
    ['tuning templates', all.filter((t) => !t.heldOut)],
    ['all', all],
  ];
  console.log('### Request-level recall, Presidio synthetic PII\n');
  console.log('| split | texts with personal data | recall | texts with e-mail/phone/card/IBAN/SSN/IP | recall | 95% interval |');
  console.log('|---|---:|---:|---:|---:|---:|');
  let heldOutKey = Number.NaN;
  let heldOutAll = Number.NaN;
  for (const [name, texts] of splits) {
    const any = requestRecall(texts.filter((t) => t.spans.length > 0), flagged);
    const key = requestRecall(texts.filter((t) => t.spans.some((s) => KEY_TYPES.has(s.type))), flagged);
    if (name.startsWith('held-out')) { heldOutKey = key.recall; heldOutAll = any.recall; }
    console.log(`| ${name} | ${any.texts} | ${pct(any.recall)} | ${key.texts} | ${pct(key.recall)} | ${wilson(key.detected, key.texts)} |`);
  }

  console.log('\n### Per-type recall (a labelled span counts when a finding of the same type overlaps it)\n');
  console.log('| type | held-out spans | recall | tuning spans | recall |');
  console.log('|---|---:|---:|---:|---:|');
  const per = new Map<EntityType, { ho: [number, number]; tu: [number, number] }>();
  for (const t of all) {
    if (t.spans.length === 0) continue;
    const found = scan(t.text).entities;
    for (const s of t.spans) {
      const row = per.get(s.type) ?? { ho: [0, 0], tu: [0, 0] };
      per.set(s.type, row);
      const cell = t.heldOut ? row.ho : row.tu;
      cell[1]++;
      if (found.some((e) => e.type === s.type && e.start < s.end && e.end > s.start)) cell[0]++;
    }
  }
  for (const [type, { ho, tu }] of [...per].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`| ${type} | ${ho[1]} | ${ho[1] ? pct(ho[0] / ho[1]) : '–'} | ${tu[1]} | ${tu[1] ? pct(tu[0] / tu[1]) : '–'} |`);
  }
  return { heldOutKey, heldOutAll };
}

function fpRows(): number {
  console.log('\n### False positives on prompts without personal data\n');
  console.log('| prompts | n | flagged sensitive | rate |');
  console.log('|---|---:|---:|---:|');
  let worst = 0;
  const sets: Array<[string, string[]]> = [
    ['routing-data MMLU', loadRoutingPrompts(sharedDir, 'mmlu')],
    ['routing-data GSM8K', loadRoutingPrompts(sharedDir, 'gsm8k')],
    ['XSTest (all 450)', loadXstest(sharedDir)],
  ];
  for (const [name, prompts] of sets) {
    const r = falsePositiveRate(prompts, flagged);
    worst = Math.max(worst, r.rate);
    console.log(`| ${name} | ${r.prompts} | ${r.flagged} | ${pct(r.rate)} |`);
  }
  return worst;
}

/** Concatenates texts until the result reaches ~1,000 tokens. */
function thousandTokens(parts: string[]): string {
  let text = '';
  for (let i = 0; countTokens(text) < 1000; i++) text += `${parts[i % parts.length]}\n\n`;
  return text;
}

function timeScan(text: string, iterations: number): { p50: number; p99: number } {
  for (let i = 0; i < 200; i++) scan(text);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    scan(text);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(iterations * 0.5)], p99: times[Math.floor(iterations * 0.99)] };
}

function latencyRows(mmlu: string[], prose: string[], personal: string[]): number {
  console.log('\n### Scan latency (one core, after warm-up, 2,000 scans each)\n');
  console.log('| input | chars | tokens | p50 | p99 |');
  console.log('|---|---:|---:|---:|---:|');
  let worstP50 = 0;
  const inputs: Array<[string, string]> = [
    ['~1,000 tokens of MMLU prompts (no personal data)', thousandTokens(mmlu)],
    ['~1,000 tokens of GSM8K prose (no personal data)', thousandTokens(prose)],
    ['~1,000 tokens of Presidio texts (dense personal data)', thousandTokens(personal)],
    ['pathological: 4,500 digits and spaces', '1 '.repeat(2250)],
    ['pathological: 4,500 chars of "a@a." repeated', 'a@a.'.repeat(1125)],
    ['pathological: 4,500 capitalised words after "Dear"', `Dear ${'Abc '.repeat(1125)}`],
  ];
  for (const [name, text] of inputs) {
    const { p50, p99 } = timeScan(text, 2000);
    if (!name.startsWith('pathological')) worstP50 = Math.max(worstP50, p50);
    console.log(`| ${name} | ${text.length} | ${countTokens(text)} | ${p50.toFixed(3)} ms | ${p99.toFixed(3)} ms |`);
  }
  return worstP50;
}

function main(): void {
  if (!hasShared) {
    console.log(`privacy benchmark: needs the shared data at ${sharedDir}`);
    process.exitCode = 1;
    return;
  }
  const presidio = loadPresidio(sharedDir);
  console.log('## Privacy scanner\n');
  const { heldOutKey, heldOutAll } = recallRows(presidio);
  const worstFp = fpRows();
  const mmlu = loadRoutingPrompts(sharedDir, 'mmlu').slice(0, 200);
  const gsm8k = loadRoutingPrompts(sharedDir, 'gsm8k').slice(0, 200);
  const personal = presidio.filter((t) => t.spans.length > 0).map((t) => t.text).slice(0, 200);
  const p50 = latencyRows(mmlu, gsm8k, personal);
  console.log('\n### Targets\n');
  console.log('| target | measured | met |');
  console.log('|---|---:|---|');
  console.log(`| recall ≥ 97% on held-out texts with e-mail/phone/card/IBAN/SSN/IP | ${pct(heldOutKey)} | ${heldOutKey >= 0.97 ? 'yes' : 'no'} |`);
  console.log(`| false positives ≤ 2% (worst set) | ${pct(worstFp)} | ${worstFp <= 0.02 ? 'yes' : 'no'} |`);
  console.log(`| p50 ≤ 1 ms per ~1,000-token request | ${p50.toFixed(3)} ms | ${p50 <= 1 ? 'yes' : 'no'} |`);
  console.log(`| (no target) recall on held-out texts with any personal data | ${pct(heldOutAll)} | – |`);
}

main();
