import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, typesOf } from './helpers.js';

test('a US SSN in the dashed form is found', () => {
  assert.deepEqual(findings("Here's my SSN: 536-90-4399"), ['US_SSN:536-90-4399']);
  assert.deepEqual(findings('His number is 460-89-9847'), ['US_SSN:460-89-9847']);
});

test('SSNs that can never be issued are rejected (area 000, 666, 9xx; group 00; serial 0000)', () => {
  for (const ssn of ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '078-05-1120']) {
    assert.deepEqual(typesOf(`my SSN is ${ssn}`), [], ssn);
  }
});

test('nine bare digits are an SSN only next to the word', () => {
  assert.deepEqual(typesOf('social security number 536904399'), ['US_SSN']);
  assert.deepEqual(typesOf('The sum is 536904399'), []);
});

test('UK NHS number with a valid mod-11 check digit, next to "NHS"', () => {
  assert.deepEqual(findings('NHS number 943 476 5919'), ['UK_NHS:943 476 5919']);
  // A wrong check digit is no NHS number (a labelled number may still count as a phone number).
  assert.ok(!typesOf('NHS number 943 476 5918').includes('UK_NHS'));
});

test('Canadian SIN (Luhn), Spanish DNI (control letter), Brazilian CPF (two check digits)', () => {
  assert.deepEqual(findings('SIN: 046 454 286'), ['CA_SIN:046 454 286']);
  assert.deepEqual(typesOf('SIN: 046 454 287'), []);
  assert.deepEqual(findings('DNI 12345678Z'), ['ES_NIF:12345678Z']);
  assert.deepEqual(typesOf('DNI 12345678A'), []);
  assert.deepEqual(findings('CPF 529.982.247-25'), ['BR_CPF:529.982.247-25']);
  assert.deepEqual(typesOf('CPF 529.982.247-26'), []);
});
