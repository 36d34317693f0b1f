import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scan } from '../../../src/router/privacy/scan.js';

// Strings built from the pieces detectors react to, so random inputs actually reach the rules.
const piece = fc.constantFrom(
  ' ', '\n', '-', '.', ',', '@', '+', '(', ')', ':', 'my name is ', 'Dear ', 'Mr. ', 'call me on ', 'SSN ',
  'born ', 'diagnosed with ', 'I was ', 'Street', 'Apt. ', 'GB82', 'WEST', '4111', '1234', '555', '07', '2001:db8::',
  '192.168.', 'Anna', 'Kowalska', 'example.com', 'é', '😀', 'NHS number ', 'MRN: ',
);
const text = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 40 }).map((a) => a.join(''));

test('findings are in bounds, non-empty, sorted and non-overlapping for any input', () => {
  fc.assert(fc.property(text, (t) => {
    const { sensitive, entities } = scan(t);
    assert.equal(sensitive, entities.length > 0);
    let prevEnd = 0;
    for (const e of entities) {
      assert.ok(e.start >= prevEnd && e.start < e.end && e.end <= t.length, JSON.stringify({ t, e }));
      prevEnd = e.end;
    }
  }), { numRuns: 400, seed: 5 });
});
