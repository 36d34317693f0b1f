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

test('India Aadhaar (Verhoeff) next to the word; a wrong check digit is rejected', () => {
  assert.deepEqual(findings('Aadhaar 2341 2341 2346'), ['IN_AADHAAR:2341 2341 2346']);
  assert.deepEqual(typesOf('Aadhaar 2341 2341 2347'), []);
});

test('UK National Insurance number follows HMRC prefix rules', () => {
  assert.deepEqual(findings('my NI number is JG 10 37 48 B'), ['UK_NINO:JG 10 37 48 B']);
  assert.deepEqual(typesOf('NI number QQ 12 34 56 C'), []); // QQ is HMRC's never-issued example prefix
});

test('French NIR (mod-97 key), Italian codice fiscale (check letter), Dutch BSN (11-proef)', () => {
  assert.deepEqual(findings('numéro de sécu 1 85 05 78 006 084 91'), ['FR_NIR:1 85 05 78 006 084 91']);
  assert.deepEqual(typesOf('numéro de sécu 1 85 05 78 006 084 92'), []);
  assert.deepEqual(findings('codice fiscale RSSMRA85T10A562S'), ['IT_FISCAL_CODE:RSSMRA85T10A562S']);
  assert.deepEqual(typesOf('codice fiscale RSSMRA85T10A562T'), []);
  assert.deepEqual(findings('BSN 111222333'), ['NL_BSN:111222333']);
  assert.deepEqual(typesOf('BSN 111222334'), []);
});
