/** Scratch tuning harness: cross-validated APGR of recipe variants on the shared routing data. */
import { join } from 'node:path';
import { loadOutcomes, type OutcomeRow } from '../src/router/learned/data.js';
import { DEFAULT_SPEC } from '../src/router/learned/features.js';
import { routerReport } from '../src/router/learned/metrics.js';
import { crossValidate, outOfFoldTopicGains, prepare, type Recipe, type Target } from '../src/router/learned/recipe.js';
import { DEFAULT_FIT } from '../src/router/learned/train.js';

const dir = process.env.SWITCHYARD_SHARED ? join(process.env.SWITCHYARD_SHARED, 'routing-data') : '/work/shared/routing-data';
const rows: OutcomeRow[] = (process.env.SETS ?? 'mmlu,gsm8k').split(',').flatMap((s) => loadOutcomes(join(dir, s + '.jsonl')));
const t0 = Date.now();
const spec = { ...DEFAULT_SPEC, hashBits: Number(process.env.BITS ?? 18), charN: process.env.CHARN !== undefined ? process.env.CHARN.split(",").filter(Boolean).map(Number) : DEFAULT_SPEC.charN };
const ex = prepare(rows, spec);
console.log('prepared', rows.length, 'in', Date.now() - t0, 'ms; avg nnz', ex.reduce((a, e) => a + e.idx.length, 0) / ex.length);
const targets = (process.env.TARGETS ?? 'gain').split(',') as Target[];
const l2s = (process.env.L2 ?? '1').split(',').map(Number);
const k = Number(process.env.K ?? 5);
for (const target of targets) for (const l2 of l2s) {
  const recipe: Recipe = { spec, target, subjectSmoothing: Number(process.env.SMOOTH ?? 0), topicBits: Number(process.env.TBITS ?? 14), fit: { ...DEFAULT_FIT, l2, l2Dense: Number(process.env.L2D ?? l2), iterations: Number(process.env.IT ?? 120) } };
  const t1 = Date.now();
  const s = process.env.TOPICONLY ? outOfFoldTopicGains(rows, ex, recipe, k, Number(process.env.SEED ?? 0)) : crossValidate(rows, ex, recipe, k, Number(process.env.SEED ?? 0));
  const line: string[] = [`${target} l2=${l2}`];
  for (const set of [...new Set(rows.map((r) => r.set))]) {
    const idx = rows.map((r, i) => (r.set === set ? i : -1)).filter((i) => i >= 0);
    const rep = routerReport(idx.map((i) => s[i]), idx.map((i) => rows[i]));
    line.push(`${set} ${rep.apgr.toFixed(3)} (${rep.cpt50.toFixed(3)}, ${rep.cpt80.toFixed(3)})`);
  }
  console.log(line.join(' | '), `${Date.now() - t1}ms`);
}
