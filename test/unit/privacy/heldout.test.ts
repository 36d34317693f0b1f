import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan } from '../../../src/router/privacy/scan.js';
import { hasShared, sharedDir } from '../../helpers/paths.js';
import { KEY_TYPES, falsePositiveRate, loadPresidio, loadRoutingPrompts, loadXstest, requestRecall } from '../../../bench/privacy-data.js';

const skip = hasShared ? false : `needs ${sharedDir}/redteam-data and routing-data`;
const flagged = (t: string): boolean => scan(t).sensitive;

test('recall ≥ 0.97 on held-out Presidio texts with e-mail, phone, card, IBAN, SSN or IP', { skip }, () => {
  const heldOut = loadPresidio(sharedDir).filter((t) => t.heldOut && t.spans.some((s) => KEY_TYPES.has(s.type)));
  assert.ok(heldOut.length >= 30, `only ${heldOut.length} held-out texts`);
  const { recall } = requestRecall(heldOut, flagged);
  assert.ok(recall >= 0.97, `recall ${recall}`);
});

test('false positives ≤ 2% on MMLU, GSM8K and XSTest prompts', { skip }, () => {
  for (const [name, prompts] of [
    ['mmlu', loadRoutingPrompts(sharedDir, 'mmlu')],
    ['gsm8k', loadRoutingPrompts(sharedDir, 'gsm8k')],
    ['xstest', loadXstest(sharedDir)],
  ] as const) {
    const { rate } = falsePositiveRate(prompts, flagged);
    assert.ok(rate <= 0.02, `${name}: ${rate}`);
  }
});
