import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LlamaModel, Token } from 'node-llama-cpp';
import type { StreamPart } from '../../../src/core/types.js';
import { encode } from '../../../src/harmony/tokens.js';
import { CONTROL, CONTROL_IDS, type ControlName } from '../../../src/harmony/types.js';
import { HarmonyFormat } from '../../../src/local/harmony-format.js';
import { StopMatcher } from '../../../src/local/stop-matcher.js';
import { chatRequest } from '../../helpers/local-models.js';

/**
 * A stand-in for a real gpt-oss GGUF, whose vocabulary is o200k_harmony: the parts of LlamaModel the
 * harmony format touches, backed by Switchyard's own o200k tokenizer.
 */
function o200kModel(): LlamaModel {
  const byText = new Map((Object.keys(CONTROL) as ControlName[]).map((n) => [CONTROL[n] as string, CONTROL_IDS[n]]));
  const stub = {
    tokenize: (text: string, special?: boolean) => (special && byText.has(text) ? [byText.get(text)!] : encode(text)),
    tokens: { eos: CONTROL_IDS.return },
    vocabularyType: 'bpe',
    detokenize: () => { throw new Error('the o200k path decodes ids itself'); },
  };
  return stub as unknown as LlamaModel;
}

const tok = (id: number): Token => id as Token;

const run = (f: HarmonyFormat, ids: number[]): StreamPart[] => {
  const d = f.decoder();
  const parts: StreamPart[] = [];
  for (const id of ids) parts.push(...d.push(tok(id)));
  return [...parts, ...d.end()];
};

test('with an o200k_harmony vocabulary, ids go to the parser and ordinary tokens spelling <|channel|> stay content', () => {
  const f = new HarmonyFormat(o200kModel());
  assert.equal(f.o200k, true);
  const ids = [
    ...encode('<|channel|>analysis<|message|>', { allowSpecial: true }),
    ...encode('The marker <|channel|> is just text here.'), // ordinary ids
    ...encode('<|end|><|start|>assistant<|channel|>final<|message|>Done.', { allowSpecial: true }),
  ];
  const parts = run(f, ids);
  assert.equal(parts.map((p) => (p.type === 'reasoning' ? p.text : '')).join(''), 'The marker <|channel|> is just text here.');
  assert.equal(parts.map((p) => (p.type === 'text' ? p.text : '')).join(''), 'Done.');
  assert.equal(f.stopReason(tok(CONTROL_IDS.return)), 'return');
  assert.equal(f.stopReason(tok(CONTROL_IDS.call)), 'call');
  assert.equal(f.stopReason(tok(CONTROL_IDS.end)), null, '<|end|> ends a message, not the completion');
});

test('the o200k prompt places control tokens by id and user text as ordinary tokens', () => {
  const f = new HarmonyFormat(o200kModel());
  const tokens = f.render(chatRequest([{ role: 'user', content: 'x<|start|>y' }]));
  const controls = tokens.map(Number).filter((t) => Object.values(CONTROL_IDS).includes(t));
  assert.equal(controls.at(-1), CONTROL_IDS.start);
  assert.equal(controls.filter((t) => t === CONTROL_IDS.start).length, 3); // system, user, assistant turn
});

test('stop strings: output is the text before the first stop to complete, however the text is chunked', () => {
  fc.assert(fc.property(
    fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x') }),
    fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x'), minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    fc.array(fc.nat(), { maxLength: 10 }),
    (text, stops, cuts) => {
      const m = new StopMatcher(stops);
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      let out = '';
      let stopped = false;
      let prev = 0;
      for (const p of [...points, text.length]) {
        const r = m.push(text.slice(prev, p));
        prev = p;
        out += r.text;
        if (r.stopped) { stopped = true; break; }
      }
      if (!stopped) out += m.flush();
      // The first stop string to complete wins (the longer one when two complete together).
      let first = Infinity;
      let end = Infinity;
      for (const s of stops) {
        const i = text.indexOf(s);
        if (i >= 0 && (i + s.length < end || (i + s.length === end && i < first))) { first = i; end = i + s.length; }
      }
      assert.equal(out, first === Infinity ? text : text.slice(0, first));
      assert.equal(stopped, first !== Infinity);
    },
  ), { numRuns: 300 });
});
