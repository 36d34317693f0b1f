import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadOutcomes } from '../../../src/router/learned/data.js';
import { auc } from '../../../src/router/learned/metrics.js';
import { defaultWeightsPath, loadRouter } from '../../../src/router/learned/router.js';
import { hasShared, sharedDir } from '../../helpers/paths.js';

const skip = hasShared ? false : 'needs ../shared/routing-data (or SWITCHYARD_SHARED)';

test('the shipped weights file loads, is small, and scores a prompt and a conversation', () => {
  assert.ok(statSync(defaultWeightsPath()).size < 2_000_000);
  const r = loadRouter();
  assert.ok(Number.isFinite(r.score('What is 2 + 2?')));
  assert.ok(Number.isFinite(r.score([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }])));
  assert.equal(loadRouter(), r, 'the default router is loaded once');
});

// The shipped weights saw all of the shared half, so this is a sanity check of what was shipped
// (decoding, calibration direction), not a quality figure: those come from cross-validation
// (bench/router.ts). Every other row of each set is checked to keep it quick.
for (const set of ['mmlu', 'gsm8k']) {
  test(`shipped weights rank ${set} prompts where only the strong model is right above the rest`, { skip }, () => {
    const rows = loadOutcomes(join(sharedDir, 'routing-data', `${set}.jsonl`)).filter((_, i) => i % 2 === 0);
    const r = loadRouter();
    const scores = rows.map((row) => r.score(row.input));
    const a = auc(scores, rows.map((row) => row.strongCorrect && !row.weakCorrect));
    assert.ok(a > 0.5, `AUC ${a}`);
    // Calibrated: the mean score is near the set's real mean gain (strong acc − weak acc).
    const meanScore = scores.reduce((x, y) => x + y, 0) / scores.length;
    const meanGain = rows.reduce((x, row) => x + Number(row.strongCorrect) - Number(row.weakCorrect), 0) / rows.length;
    assert.ok(Math.abs(meanScore - meanGain) < 0.05, `mean score ${meanScore} vs mean gain ${meanGain}`);
  });
}
