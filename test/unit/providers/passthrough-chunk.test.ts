import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlainChunks, plainChunk } from '../../../src/providers/passthrough-chunk.js';

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

test('one stream\'s reader, once it has seen a chunk, judges every later chunk as a fresh check does', () => {
  const plain = (content: string, tail = '"finish_reason":null}]}') => `${head}"choices":[{"index":0,"delta":{"content":"${content}"},${tail}`;
  const first = plain('Hello');
  const later = [
    plain(' world'),
    plain('say \\"hi\\"'),
    plain('ends in a backslash \\\\'),
    plain('x'),
    plain(''), // no text
    plain('a\tb'), // a raw tab inside the string
    plain('line\\nnext \\u00e9'), // escapes only
    plain('a\\"b\tc'), // an escape, then a raw tab
    plain('a\\\\'), // an escaped backslash just before the closing quote
    plain('a\\'), // an escaped closing quote: the string never closes where the chunk expects
    plain('a\nb'), // a raw newline
    plain('a","role":"assistant'), // a quote that ends the string early and adds a key
    plain('a"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}{"x":"'), // spliced chunks
    plain('x', '"finish_reason":"stop"}]}'),
    plain('x', '"finish_reason":null}],"usage":{"prompt_tokens":1}}'),
    plain('x', '"finish_reason":null}]}}'),
    plain('x', '"finish_reason":null}]'), // cut
    plain('x').replace('"index":0', '"index":1'),
    plain('x').replace('"content"', '"reasoning_content"'),
    plain('x').replace('{"id"', ' {"id"'),
    `{"id":"other","created":9,"model":"m2","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}`,
    plain('unterminated\\"},"finish_reason":null}]}'),
  ];
  const reader = new PlainChunks();
  assert.ok(reader.read(first));
  for (const d of later) assert.deepEqual(reader.read(d), plainChunk(d), d);
  // And in any order: each verdict is the fresh one whatever the reader saw before.
  const shuffled = new PlainChunks();
  for (const d of [...later].reverse().concat(later, [first], later)) assert.deepEqual(shuffled.read(d), plainChunk(d), d);
});

test('random edits of chunks: a stream\'s reader never judges a chunk otherwise than a fresh check', () => {
  // A seeded generator (xorshift32), so a failure repeats.
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const bases = [
    `${head}"choices":[{"index":0,"delta":{"content":"Hello there"},"logprobs":null,"finish_reason":null}]}`,
    `${head}"choices":[{"index":0,"delta":{"content":"line\\nnext \\"q\\""},"finish_reason":null}],"usage":null}`,
    `{"id":"x","choices":[{"index":0,"delta":{"content":"abc"},"finish_reason":null}]}`,
  ];
  // Pieces that matter to the checks: quotes, escapes, control characters, brackets, keys that must be parsed.
  const pieces = ['"', '\\', '\\"', '\n', '\t', '{', '}', '[', ']', ',', ':', '"reasoning":"x"', '"role":"assistant"', '"index":1', 'null', 'x', ''];
  const edit = (s: string): string => {
    const at = rand(s.length + 1);
    switch (rand(3)) {
      case 0: return s.slice(0, at) + pieces[rand(pieces.length)] + s.slice(at);
      case 1: return s.slice(0, at) + s.slice(at + 1 + rand(3));
      default: return s.slice(0, at) + pieces[rand(pieces.length)] + s.slice(at + 1);
    }
  };
  let plainSeen = 0;
  for (let stream = 0; stream < 400; stream++) {
    const reader = new PlainChunks();
    const base = bases[rand(bases.length)];
    for (let i = 0; i < 50; i++) {
      // Most chunks are the stream's usual shape with new text; some are edited anywhere.
      let d = base.replace(/"content":"[^"\\]*/, `"content":"${'t'.repeat(1 + rand(8))}`);
      for (let e = rand(4) === 0 ? 1 + rand(3) : 0; e > 0; e--) d = edit(d);
      const fresh = plainChunk(d);
      if (fresh) plainSeen++;
      // The event as it comes off the wire: taken by the shape only when it is the same verdict.
      const whole = reader.readEvent(`data: ${d}\n\n`);
      if (whole) assert.deepEqual(whole, fresh, d);
      assert.deepEqual(reader.read(d), fresh, d);
    }
  }
  assert.ok(plainSeen > 5000, `the generator mostly makes plain chunks (${plainSeen})`);
});

test('a whole event off the wire is taken by the remembered shape only when it is exactly one such chunk', () => {
  const chunk = (text: string) => `${head}"choices":[{"index":0,"delta":{"content":"${text}"},"finish_reason":null}]}`;
  const reader = new PlainChunks();
  assert.equal(reader.readEvent(`data: ${chunk('a')}\n\n`), null, 'nothing remembered yet');
  assert.ok(reader.read(chunk('first')));
  assert.deepEqual(reader.readEvent(`data: ${chunk('next')}\n\n`), plainChunk(chunk('next')));
  assert.deepEqual(reader.readEvent(`data: ${chunk('say \\"hi\\"')}\n\n`), plainChunk(chunk('say \\"hi\\"')));
  const notTaken = [
    `data: ${chunk('a')}\r\n\r\n`, // CRLF: the decoder's
    `data:${chunk('a')}\n\n`, // no space after the colon
    `data: ${chunk('a')}\n`, // no blank line yet
    `data: ${chunk('a')}`,
    `data: ${chunk('a')}\n\ndata: ${chunk('b')}\n\n`, // two events in one read
    `event: x\ndata: ${chunk('a')}\n\n`,
    `data: ${chunk('a\nb')}\n\n`, // a line break inside
    `data: ${chunk('')}\n\n`, // no text
    `data: ${chunk('a').replace('"index":0', '"index":1')}\n\n`,
    `data: ${chunk('a').replace('}]}', '}],"usage":{"prompt_tokens":1}}')}\n\n`,
    `: keep-alive\n\n`,
    `data: [DONE]\n\n`,
  ];
  for (const t of notTaken) assert.equal(reader.readEvent(t), null, JSON.stringify(t));
});
