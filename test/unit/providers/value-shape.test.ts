/**
 * ValueShape: a JSON text learned with holes for its values reads a later text of the same shape
 * as the reader would, field for field, and matches nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueShape } from '../../../src/providers/value-shape.js';

interface Read { id?: string; n?: number; m?: number; kind: string }
/** A reader as the gateway's are: values passed on by type, a fixed field, no content looked at. */
const reader = (text: string): Read | null => {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const inner = o.inner as Record<string, unknown> | undefined;
  return { kind: 'k', id: typeof o.id === 'string' ? o.id : undefined, n: typeof o.n === 'number' ? o.n : undefined, m: typeof inner?.m === 'number' ? inner.m : undefined };
};

const text = (id: string, n: string, m: string) => `{"id":"${id}","tag":"t","n":${n},"inner":{"m":${m},"list":[1,2]}}`;

test('a text of the learned shape reads as the reader reads it', () => {
  const learned = text('a', '1', '2');
  const shape = ValueShape.learn(learned, reader(learned)!, reader)!;
  assert.ok(shape);
  const cases = [
    text('b', '7', '0'), text('', '0', '123456789012345'), text('ünï ☃ 😀 {[,:]}', '42', '42'), text('x', '1', '1').replace('"t"', '"other"'),
  ];
  for (const c of cases) assert.deepEqual(shape.read(c), reader(c), c);
  // Random values in every hole: the same as parsed.
  for (let i = 0; i < 500; i++) {
    const id = Array.from({ length: i % 12 }, () => String.fromCharCode(0x20 + Math.floor(Math.random() * 0x5e))).join('').replace(/["\\]/g, '');
    const c = text(id, String(Math.floor(Math.random() * 1e9)), String(i));
    assert.deepEqual(shape.read(c), reader(c), c);
  }
});

test('anything but the learned shape with JSON values in its holes does not match', () => {
  const learned = text('a', '1', '2');
  const shape = ValueShape.learn(learned, reader(learned)!, reader)!;
  for (const c of [
    text('a"b', '1', '2'), text('a\\"b', '1', '2'), text('a\\u0041', '1', '2'), text('a\u0001', '1', '2'),
    text('a', '01', '2'), text('a', '-1', '2'), text('a', '1.5', '2'), text('a', '1e3', '2'), text('a', '1234567890123456', '2'),
    text('a', '"1"', '2'), text('a', 'null', '2'), text('a', '1', '2').replace('"id"', '"Id"'), text('a', '1', '2').replace('[1,2]', '[1,3]'),
    `${text('a', '1', '2')} `, text('a', '1', '2').slice(0, -1),
  ]) assert.equal(shape.read(c), undefined, c);
});

test('no shape when the text cannot have one, or the reader does more than pass values on', () => {
  const learned = text('a', '1', '2');
  // A backslash, a control character, no hole.
  for (const t of [text('a\\"b', '1', '2'), text('a\u0001', '1', '2'), '{"list":[1,2]}']) assert.equal(ValueShape.learn(t, reader(t) ?? { kind: 'k' }, reader), null, t);
  // The reader changes a string's case, or puts a value in an object: neither is a hole's value as it is.
  const lower = (t: string) => { const r = reader(t); return r && { ...r, id: r.id?.toLowerCase() }; };
  assert.equal(ValueShape.learn(learned, lower(learned)!, lower), null);
  const nested = (t: string) => { const r = reader(t); return r && { ...r, wrapped: { n: r.n } }; };
  assert.equal(ValueShape.learn(learned, nested(learned)!, nested), null);
  // A number that is not a hole (after a space) spelled like a probe's.
  const spaced = '{"id":"a","n": 987654001,"inner":{"m":987654001}}';
  assert.equal(ValueShape.learn(spaced, reader(spaced)!, reader), null);
  // What the reader read the learned text as must be what the shape reads it as.
  assert.equal(ValueShape.learn(learned, { ...reader(learned)!, n: 5 }, reader), null);
});
