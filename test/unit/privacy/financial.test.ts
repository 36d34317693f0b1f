import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, typesOf } from './helpers.js';

test('a card number with a valid Luhn checksum is found, spaced or not', () => {
  assert.deepEqual(findings('Please charge 4111 1111 1111 1111 today'), ['CREDIT_CARD:4111 1111 1111 1111']);
  assert.deepEqual(findings('My card 4454794511390933 is expiring'), ['CREDIT_CARD:4454794511390933']);
  assert.deepEqual(findings('amex 3782-822463-10005'), ['CREDIT_CARD:3782-822463-10005']);
});

test('the same digits with an invalid checksum are not a card', () => {
  assert.deepEqual(typesOf('Please charge 4111 1111 1111 1112 today'), []);
  assert.deepEqual(typesOf('Order number 1234567890123456'), []);
});

test('12-digit cards need a card cue; a plain 12-digit number does not count', () => {
  assert.deepEqual(typesOf('card number 630427373398 is lost'), ['CREDIT_CARD']);
  assert.deepEqual(typesOf('The population was 630427373398 in the model.'), []);
});

test('an IBAN with a valid mod-97 checksum is found, in print groups or compact', () => {
  assert.deepEqual(findings('My IBAN is GB82 WEST 1234 5698 7654 32.'), ['IBAN:GB82 WEST 1234 5698 7654 32']);
  assert.deepEqual(findings('transfer from de89370400440532013000 please'), ['IBAN:de89370400440532013000']);
});

test('an IBAN with a wrong check digit or length is not', () => {
  assert.deepEqual(typesOf('My IBAN is GB82 WEST 1234 5698 7654 33.'), []);
  assert.deepEqual(typesOf('Code GB82WEST123456987654'), []);
});

test('timestamps and snowflake ids in JSON are not cards even when they pass Luhn', () => {
  // 1700000000004 and 175928847299117062 both pass the Luhn check.
  assert.deepEqual(typesOf('{"ts": 1700000000004, "id": 175928847299117062}'), []);
});
