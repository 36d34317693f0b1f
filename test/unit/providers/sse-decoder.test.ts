import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseDecoder } from '../../../src/providers/sse-decoder.js';

function decode(pieces: string[]): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  const d = new SseDecoder((data, event) => out.push([data, event]));
  for (const p of pieces) d.push(p);
  d.end();
  return out;
}

test('the usual one-line events, CRLF, comments, multi-line data and named events decode as the spec says', () => {
  const text = 'data: {"a":1}\n\n: keep-alive\n\ndata: x\r\n\r\nevent: error\ndata: {"e":2}\n\ndata: one\ndata: two\n\ndata:tight\n\ndata: [DONE]\n\n';
  assert.deepEqual(decode([text]), [['{"a":1}', null], ['x', null], ['{"e":2}', 'error'], ['one\ntwo', null], ['tight', null], ['[DONE]', null]]);
});

test('any split of a stream into pieces decodes like the whole', () => {
  const event = fc.oneof(
    fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)).map((s) => `data: ${s}\n\n`),
    fc.string({ maxLength: 10 }).filter((s) => !/[\r\n]/.test(s)).map((s) => `data: ${s}\r\n\r\n`),
    fc.constant(': ping\n\n'),
    fc.constant('event: error\ndata: {"x":1}\n\n'),
    fc.constant('data: a\ndata: b\n\n'),
  );
  fc.assert(fc.property(fc.array(event, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
    const text = events.join('');
    const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    const pieces: string[] = [];
    let prev = 0;
    for (const p of points) { pieces.push(text.slice(prev, p)); prev = p; }
    pieces.push(text.slice(prev));
    assert.deepEqual(decode(pieces), decode([text]));
    assert.deepEqual(decode([...text]), decode([text]));
  }), { numRuns: 300 });
});
