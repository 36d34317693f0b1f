import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, typesOf } from './helpers.js';

test('a diagnosis next to a named person is sensitive, and so is the name', () => {
  assert.deepEqual(findings('John Smith was diagnosed with diabetes last spring.'), [
    'PERSON:John Smith', 'DIAGNOSIS:was diagnosed with diabetes last spring',
  ]);
});

test('a diagnosis about the writer or a relative is sensitive', () => {
  assert.deepEqual(typesOf('I was diagnosed with type 2 diabetes last year, what should I eat?'), ['DIAGNOSIS']);
  assert.deepEqual(typesOf('My son suffers from asthma and uses an inhaler.'), ['DIAGNOSIS']);
});

test('a diagnosis in an exam vignette about nobody is not', () => {
  assert.deepEqual(typesOf('A 45-year-old man is diagnosed with diabetes. Which drug is first line?'), []);
  assert.deepEqual(typesOf('I. The patient was diagnosed with gout. II. Both are true.'), []);
});

test('dates of birth need a birth cue; other dates are not personal', () => {
  assert.deepEqual(findings('DOB: 12/03/1985'), ['DATE_OF_BIRTH:12/03/1985']);
  assert.deepEqual(findings('She was born on 4 July 1976 in Ohio.'), ['DATE_OF_BIRTH:4 July 1976']);
  assert.deepEqual(typesOf('The meeting is on 12/03/1985.'), []);
  assert.deepEqual(typesOf('When was Angela Merkel born?'), []);
});

test('medical record and patient identifiers are found after their label', () => {
  assert.deepEqual(findings('MRN: 00123456'), ['MEDICAL_RECORD:00123456']);
  assert.deepEqual(findings('patient ID 99-1234, ward 3'), ['MEDICAL_RECORD:99-1234']);
  assert.deepEqual(typesOf('Where is the patient ID card printer?'), []);
});
