/** JSON Schema → the TypeScript-like types gpt-oss reads, beyond what the golden file covers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaToTypeScript } from '../../../src/harmony/schema-to-ts.js';

test('scalars, enums, type unions and arrays', () => {
  assert.equal(schemaToTypeScript({ type: 'integer' }), 'number');
  assert.equal(schemaToTypeScript({ type: ['integer', 'string', 'null'] }), 'number | string | null');
  assert.equal(schemaToTypeScript({ type: 'string', enum: ['a', 'b'] }), '"a" | "b"');
  assert.equal(schemaToTypeScript({ type: 'array', items: { type: 'number' } }), 'number[]');
  assert.equal(schemaToTypeScript({ type: 'array' }), 'Array<any>');
  // Keywords the reference does not render become `any`, as gpt-oss saw them in training.
  assert.equal(schemaToTypeScript({ anyOf: [{ type: 'string' }, { type: 'null' }] }), 'any');
  assert.equal(schemaToTypeScript('nonsense'), 'any');
});

test('objects: required marks, defaults (quoted unless enum), nested objects keep the reference indentation', () => {
  const ts = schemaToTypeScript({
    type: 'object',
    properties: {
      unit: { type: 'string', enum: ['c', 'f'], default: 'c' },
      label: { type: 'string', default: 'x' },
      n: { type: 'integer', default: 3, description: 'How many' },
      where: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
    required: ['where'],
  });
  assert.equal(ts, [
    '{',
    'unit?: "c" | "f", // default: c',
    'label?: string, // default: "x"',
    '// How many',
    'n?: number, // default: 3',
    'where: {',
    '    city: string,',
    '    },',
    '}',
  ].join('\n'));
});

test('a top-level oneOf lists one variant per line', () => {
  assert.equal(schemaToTypeScript({ oneOf: [{ type: 'string', description: 'a name' }, { type: 'number', nullable: true }] }),
    '\n | string // a name\n | number | null');
});
