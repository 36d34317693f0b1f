import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainChunk } from '../../../src/providers/passthrough-chunk.js';

const head = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up-model",';

test('a plain content chunk is forwarded from "choices" on, with its content length', () => {
  const data = `${head}"choices":[{"index":0,"delta":{"content":"Hi \\"there\\""},"logprobs":null,"finish_reason":null}],"usage":null}`;
  const p = plainChunk(data);
  assert.ok(p);
  assert.equal(p.rest, data.slice(data.indexOf('"choices":[')));
  assert.equal(p.textChars, 'Hi \\"there\\"'.length);
  // The forwarded text under the gateway's own head is the same object with the gateway's id and model.
  const out = JSON.parse(`{"id":"mine","object":"chat.completion.chunk","created":2,"model":"bench",${p.rest}`) as Record<string, unknown>;
  assert.equal(out.model, 'bench');
  assert.deepEqual(out.choices, [{ index: 0, delta: { content: 'Hi "there"' }, logprobs: null, finish_reason: null }]);
});

test('chunks that carry anything but plain text go to the parser', () => {
  const chunk = (choice: string, after = '') => `${head}"choices":[${choice}]${after}}`;
  const parsed = [
    chunk('{"index":0,"delta":{"role":"assistant","content":"x"},"finish_reason":null}'),
    chunk('{"index":0,"delta":{"content":"x","reasoning_content":"secret"},"finish_reason":null}'),
    chunk('{"index":0,"delta":{"content":"x","reasoning":"secret"},"finish_reason":null}'),
    chunk('{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}'),
    chunk('{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}'),
    chunk('{"index":0,"delta":{"content":"x"},"finish_reason":null}', ',"usage":{"prompt_tokens":1}'),
    chunk('{"index":0,"delta":{"content":"x"},"finish_reason":null}', ',"x_groq":{"usage":{}}'),
    chunk('{"index":0,"delta":{"content":"x"},"finish_reason":null}', ',"model":"leak"'),
    chunk('{"index":1,"delta":{"content":"x"},"finish_reason":null}'),
    chunk('{"index":0,"delta":{"content":"x","refusal":"no"},"finish_reason":null}'),
    chunk('{"index":0,"delta":{"content":""},"finish_reason":null}'), // no text: dropped by the parser
    chunk('{"index":0,"delta":{},"finish_reason":null}'),
    `{"error":{"message":"boom"}}`,
  ];
  for (const d of parsed) assert.equal(plainChunk(d), null, d);
});

test('cut or corrupted chunks are never forwarded', () => {
  const good = `${head}"choices":[{"index":0,"delta":{"content":"abc"},"finish_reason":null}]}`;
  assert.ok(plainChunk(good));
  for (let cut = good.indexOf('"choices"') + 12; cut < good.length; cut++) {
    assert.equal(plainChunk(good.slice(0, cut)), null, `cut at ${cut}`);
  }
  assert.equal(plainChunk(`${good}}`), null);
  assert.equal(plainChunk(`${good} {}`), null);
  assert.equal(plainChunk(good.replace('"abc"', '"a\nb"')), null); // a raw newline inside a string
  assert.equal(plainChunk(`x${good}`), null);
});

test('text that merely mentions the special keys stays plain (its quotes are escaped)', () => {
  const data = `${head}"choices":[{"index":0,"delta":{"content":"say \\"role\\": \\"tool_calls\\", \\"model\\":1"},"finish_reason":null}]}`;
  const p = plainChunk(data);
  assert.ok(p);
  assert.equal((JSON.parse(`{${p.rest}`) as { choices: Array<{ delta: { content: string } }> }).choices[0].delta.content, 'say "role": "tool_calls", "model":1');
});
