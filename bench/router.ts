/**
 * Router quality and speed. For each shared set: APGR, CPT(50%), CPT(80%) of random routing, the
 * "longer prompt → strong" baseline and the learned router under k-fold cross-validation (every
 * score comes from a model that did not see that prompt; folds keep duplicate prompts together;
 * both sets are trained on together, as for the shipped weights). Then the latency of scoring a
 * 1,000-token conversation in-process with the shipped weights.
 *
 * Run: npx tsc -p . && node dist/bench/router.js [--folds K]   (needs ../shared or SWITCHYARD_SHARED)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { loadOutcomes, type OutcomeRow } from '../src/router/learned/data.js';
import { routerReport, type RouterReport } from '../src/router/learned/metrics.js';
import { loadRouter } from '../src/router/learned/router.js';
import { promptLength, trainRouter } from '../src/router/learned/trainer.js';
import { sharedDir } from '../test/helpers/paths.js';

const folds = Number(process.argv[process.argv.indexOf('--folds') + 1]) || 5;
const dataDir = [join(sharedDir, 'routing-data'), '/work/shared/routing-data'].find((d) => existsSync(d));
if (!dataDir) {
  console.error(`routing data not found under ${sharedDir}; set SWITCHYARD_SHARED`);
  process.exit(1);
}
const rows: OutcomeRow[] = ['mmlu', 'gsm8k'].flatMap((s) => loadOutcomes(join(dataDir, `${s}.jsonl`)));

/** Deterministic PRNG (mulberry32) so the random baseline is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomReport(outcomes: OutcomeRow[], trials = 50): RouterReport {
  const next = rng(42);
  const sum = { apgr: 0, cpt50: 0, cpt80: 0 };
  for (let t = 0; t < trials; t++) {
    const r = routerReport(outcomes.map(() => next()), outcomes);
    sum.apgr += r.apgr / trials; sum.cpt50 += r.cpt50 / trials; sum.cpt80 += r.cpt80 / trials;
  }
  return sum;
}

const t0 = Date.now();
const result = trainRouter(rows, { folds, log: (l) => console.error(l) });
const trainSeconds = (Date.now() - t0) / 1000;

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
const lines: string[] = [];
lines.push(`Router quality, ${folds}-fold cross-validation (both sets trained together, folds by prompt hash)`);
lines.push('');
lines.push('| set | rows | router | APGR | CPT(50%) | CPT(80%) |');
lines.push('|---|---|---|---|---|---|');
for (const s of result.sets) {
  const outcomes = rows.filter((r) => r.set === s.set);
  const rand = randomReport(outcomes);
  lines.push(`| ${s.set} | ${s.rows} | random (mean of 50) | ${fmt(rand.apgr)} | ${fmt(rand.cpt50)} | ${fmt(rand.cpt80)} |`);
  lines.push(`| ${s.set} | ${s.rows} | prompt length | ${fmt(s.length.apgr)} | ${fmt(s.length.cpt50)} | ${fmt(s.length.cpt80)} |`);
  lines.push(`| ${s.set} | ${s.rows} | **learned** | **${fmt(s.learned.apgr)}** | ${fmt(s.learned.cpt50)} | ${fmt(s.learned.cpt80)} |`);
}

// Latency: a realistic 1,000-token conversation built from real prompts, several turns.
const router = loadRouter();
const turns: { role: string; content: string }[] = [];
let text = '';
for (let i = 0; countTokens(text) < 1000; i += 97) {
  const p = rows[i % rows.length].input as string;
  turns.push({ role: turns.length % 2 ? 'assistant' : 'user', content: p });
  text += p + '\n';
}
const tokens = countTokens(text);
for (let i = 0; i < 200; i++) router.score(turns); // warm-up (JIT)
const samples: number[] = [];
for (let i = 0; i < 2000; i++) {
  const s = process.hrtime.bigint();
  router.score(turns);
  samples.push(Number(process.hrtime.bigint() - s) / 1e6);
}
samples.sort((a, b) => a - b);
const pct = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
lines.push('');
lines.push(`| scoring latency (${tokens}-token, ${turns.length}-turn conversation, shipped weights, 2,000 runs) | p50 ms | p99 ms |`);
lines.push('|---|---|---|');
lines.push(`| learned router, in-process | ${pct(0.5).toFixed(3)} | ${pct(0.99).toFixed(3)} |`);
lines.push('');
lines.push(`(training with ${folds}-fold cross-validation took ${trainSeconds.toFixed(1)} s)`);
console.log(lines.join('\n'));
