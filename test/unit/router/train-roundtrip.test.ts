import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/router.js';
import { auc } from '../../../src/router/learned/metrics.js';
import { memoryIO } from '../../helpers/cli-io.js';

/** Deterministic PRNG so the synthetic set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a / 4294967296; };
}

const FILLER = ['river', 'table', 'green', 'music', 'garden', 'window', 'paper', 'cloud', 'stone', 'market',
  'little', 'quiet', 'bright', 'across', 'before', 'yellow', 'simple', 'letter', 'winter', 'summer'];

/** A prompt of filler words; with `planted`, the marker word appears somewhere in it. */
function prompt(next: () => number, planted: boolean): string {
  const words = Array.from({ length: 8 + Math.floor(next() * 12) }, () => FILLER[Math.floor(next() * FILLER.length)]);
  if (planted) words.splice(Math.floor(next() * words.length), 0, 'quartz');
  return words.join(' ') + '?';
}

test('train → score round trip learns a planted signal (prompts with "quartz" need the strong model)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'router-train-'));
  try {
    const next = rng(7);
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const planted = next() < 0.3;
      const noisy = next() < 0.1; // 10% of labels flipped: the signal must survive noise
      const hard = planted !== noisy;
      lines.push(JSON.stringify({ id: `s${i}`, benchmark: 'synthetic', subject: null, prompt: prompt(next, planted),
        weak_correct: !hard, strong_correct: true }));
    }
    const data = join(dir, 'outcomes.jsonl');
    writeFileSync(data, lines.join('\n') + '\n');
    const weights = join(dir, 'w.json');

    const trainIO = memoryIO();
    assert.equal(await run(['train', '--data', data, '--out', weights, '--folds', '3'], trainIO), 0, trainIO.err());
    assert.match(trainIO.err(), /synthetic \(300 rows\): cross-validated APGR/);
    const summary = JSON.parse(trainIO.out()) as { crossValidated: { synthetic: { apgr: number } } };
    // With 30% planted and 10% noise, ranking the planted prompts first perfectly gives APGR ≈ 0.745.
    assert.ok(summary.crossValidated.synthetic.apgr > 0.7, `cross-validated APGR ${summary.crossValidated.synthetic.apgr}`);
    assert.ok(statSync(weights).size < 2_000_000);

    // Fresh prompts the router never saw.
    const fresh = rng(99);
    const tests = Array.from({ length: 60 }, (_, i) => ({ id: `t${i}`, planted: i % 3 === 0 }));
    const scoreIO = memoryIO(tests.map((t) => JSON.stringify({ id: t.id, prompt: prompt(fresh, t.planted) })));
    assert.equal(await run(['score', '--weights', weights], scoreIO), 0, scoreIO.err());
    const scored = scoreIO.out().trim().split('\n').map((l) => JSON.parse(l) as { id: string; strong_score: number });
    assert.deepEqual(scored.map((s) => s.id), tests.map((t) => t.id));
    const a = auc(scored.map((s) => s.strong_score), tests.map((t) => t.planted));
    assert.ok(a > 0.95, `AUC of planted vs not: ${a}`);
    // The weights file is the documented format.
    assert.equal((JSON.parse(readFileSync(weights, 'utf8')) as { format: string }).format, 'switchyard-router/1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train reports a bad data line with its file and line number', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'router-train-'));
  try {
    const data = join(dir, 'bad.jsonl');
    writeFileSync(data, JSON.stringify({ prompt: 'x', weak_correct: true, strong_correct: false }) + '\n{"prompt": "y"}\n');
    const io = memoryIO();
    assert.equal(await run(['train', '--data', data, '--out', join(dir, 'w.json')], io), 1);
    assert.match(io.err(), /bad\.jsonl:2:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
