import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '../../../src/core/types.js';
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
  assert.ok(Number.isFinite(r.score([])) && Number.isFinite(r.score('')));
  // The gateway passes its validated request messages as they are.
  const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Summarize this.' }] }];
  assert.ok(Number.isFinite(r.score(messages)));
  assert.equal(loadRouter(), r, 'the default router is loaded once');
});

test('shipped weights: a system prompt barely moves the score; a harder later turn raises it', () => {
  const r = loadRouter();
  const q = 'A store sells pencils at 3 for $0.75 and pens at 2 for $1.50. Maria buys 12 pencils and 5 pens, '
    + 'pays with a $20 bill and then spends a third of her change on stickers. How much money does she have left?';
  const system = 'You are the assistant of an online shop. Be friendly and concise. '.repeat(30);
  assert.ok(Math.abs(r.score([{ role: 'system', content: system }, { role: 'user', content: q }]) - r.score(q)) < 0.01);
  const easy = [{ role: 'user', content: 'Hi!' }];
  const harder = [...easy, { role: 'assistant', content: 'Hello! How can I help?' }, { role: 'user', content: q }];
  assert.ok(r.score(harder) > r.score(easy), `${r.score(harder)} vs ${r.score(easy)}`);
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
