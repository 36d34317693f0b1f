import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateJson } from '../../../src/router/json-check.js';
import { thresholdForQuality } from '../../../src/router/quality.js';

test('the cascade JSON check catches what a user would call malformed structured output', () => {
  const schema = { type: 'object', required: ['city', 'days'], additionalProperties: false, properties: { city: { type: 'string', minLength: 1 }, days: { type: 'integer', minimum: 1 }, unit: { enum: ['c', 'f'] } } };
  assert.equal(validateJson({ city: 'Paris', days: 3 }, schema), null);
  assert.match(validateJson({ city: 'Paris' }, schema)!, /\$\.days is required/);
  assert.match(validateJson({ city: 'Paris', days: 1.5 }, schema)!, /\$\.days should be integer/);
  assert.match(validateJson({ city: 'Paris', days: 2, extra: 1 }, schema)!, /\$\.extra is not allowed/);
  assert.match(validateJson({ city: 'Paris', days: 2, unit: 'k' }, schema)!, /\$\.unit is not one of/);
  assert.match(validateJson([1, 'a'], { type: 'array', items: { type: 'number' } })!, /\$\[1\] should be number/);
});

test('quality maps monotonically onto the router threshold, with the ends meaning always/never', () => {
  assert.equal(thresholdForQuality(0), Infinity);
  assert.equal(thresholdForQuality(1), -Infinity);
  let prev = Infinity;
  for (let q = 0.05; q < 1; q += 0.05) {
    const t = thresholdForQuality(q);
    assert.ok(t <= prev, `threshold must fall as quality rises (q=${q})`);
    prev = t;
  }
});
