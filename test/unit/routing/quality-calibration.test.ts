/**
 * The quality knob's promise, checked on the shipped weights: quality q sends about q of the
 * router's training prompts to the thinking tier (so the table in quality.ts matches the weights).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRouter } from '../../../src/router/learned/router.js';
import { thresholdForQuality } from '../../../src/router/quality.js';
import { hasShared, sharedDir } from '../../helpers/paths.js';

test('quality ≈ share sent to thinking on the training mix', { skip: hasShared ? false : 'needs ../shared/routing-data' }, () => {
  const r = loadRouter();
  const scores: number[] = [];
  for (const f of ['mmlu.jsonl', 'gsm8k.jsonl']) {
    for (const line of readFileSync(join(sharedDir, 'routing-data', f), 'utf8').trim().split('\n')) scores.push(r.score((JSON.parse(line) as { prompt: string }).prompt));
  }
  for (const q of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    const t = thresholdForQuality(q);
    const share = scores.filter((s) => s >= t).length / scores.length;
    assert.ok(Math.abs(share - q) < 0.03, `quality ${q} sent ${share.toFixed(3)} to thinking`);
  }
});
