/**
 * Conformance with the harmony reference's golden files (../shared/harmony-fixtures/test-data).
 * Comparison rule from that folder's README: expected text with \r\n → \n, right-trimmed; render
 * fixtures compared both as text and as token ids (expected text encoded with all specials allowed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../helpers/paths.js';
import { renderConversation, renderForCompletion } from '../../../src/harmony/render.js';
import { encode, renderConversationTokens, renderForCompletionTokens } from '../../../src/harmony/tokens.js';
import { parseText, parseTokens } from '../../../src/harmony/parse.js';
import type { ParsedMessage } from '../../../src/harmony/types.js';
import { FIXTURES, type ParseFixture, type RenderFixture } from './fixture-inputs.js';

const dataDir = join(sharedDir, 'harmony-fixtures', 'test-data');
const available = hasShared && existsSync(dataDir);
const skip = available ? false : 'needs ../shared/harmony-fixtures/test-data';

const readExpected = (file: string): string => readFileSync(join(dataDir, file), 'utf8').replaceAll('\r\n', '\n').trimEnd();
const withoutEnd = (ms: ParsedMessage[]) => ms.map(({ end: _end, ...rest }) => rest);

function checkRender(fx: RenderFixture, expected: string): void {
  const opts = { dropAnalysis: fx.mode !== 'completion-keep-analysis' };
  const text = fx.mode === 'conversation' ? renderConversation(fx.messages, opts) : renderForCompletion(fx.messages, opts);
  assert.equal(text, expected);
  const ids = fx.mode === 'conversation' ? renderConversationTokens(fx.messages, opts) : renderForCompletionTokens(fx.messages, opts);
  assert.deepEqual(ids, encode(expected, { allowSpecial: true }));
}

function checkParse(fx: ParseFixture, expected: string): void {
  const opts = { role: fx.role, strict: true };
  if (fx.kind === 'parse-tokens') {
    const ids = expected.split(/\s+/).map(Number);
    assert.deepEqual(withoutEnd(parseTokens(ids, opts)), fx.expected);
  } else {
    assert.deepEqual(withoutEnd(parseText(expected, opts)), fx.expected);
    assert.deepEqual(withoutEnd(parseTokens(encode(expected, { allowSpecial: true }), opts)), fx.expected);
  }
  // Lenient mode must agree with strict mode on well-formed input.
  const lenient = fx.kind === 'parse-tokens'
    ? parseTokens(expected.split(/\s+/).map(Number), { role: fx.role })
    : parseText(expected, { role: fx.role });
  assert.deepEqual(withoutEnd(lenient), fx.expected);
}

const files = available ? readdirSync(dataDir).filter((f) => f.endsWith('.txt')).sort() : [];
const results = new Map<string, string | null>();

for (const file of files) {
  test(`fixture ${file}`, () => {
    const fx = FIXTURES[file];
    try {
      if (!fx) throw new Error('no known input for this golden file');
      const expected = readExpected(file);
      if (fx.kind === 'render') checkRender(fx, expected);
      else checkParse(fx, expected);
      results.set(file, null);
    } catch (err) {
      results.set(file, err instanceof Error ? err.message : String(err));
      throw err;
    }
  });
}

test('harmony conformance: every golden file passes', { skip }, () => {
  const passed = [...results.values()].filter((r) => r === null).length;
  console.log(`harmony conformance: ${passed}/${files.length} fixtures passed`);
  assert.ok(files.length >= 23, `expected the 23 golden files, found ${files.length}`);
  assert.equal(passed, files.length, [...results].filter(([, r]) => r).map(([f, r]) => `${f}: ${r}`).join('\n'));
});
