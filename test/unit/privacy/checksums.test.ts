import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bsnValid, codiceFiscaleValid, cpfValid, ibanValid, luhnValid, nhsValid, nifValid, nirValid, verhoeffValid } from '../../../src/router/privacy/checksums.js';

test('Luhn accepts a valid card number and rejects one with a changed digit', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid('378282246310005'), true); // Amex test number
});

test('IBAN mod 97 accepts published examples and rejects a typo', () => {
  assert.equal(ibanValid('GB82WEST12345698765432'), true);
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('gb82west12345698765432'), true); // case does not matter
  assert.equal(ibanValid('GB82WEST12345698765433'), false);
});

test('NHS mod 11, Brazilian CPF and Spanish DNI check digits', () => {
  assert.equal(nhsValid('9434765919'), true);
  assert.equal(nhsValid('9434765918'), false);
  assert.equal(cpfValid('52998224725'), true);
  assert.equal(cpfValid('52998224724'), false);
  assert.equal(cpfValid('11111111111'), false);
  assert.equal(nifValid('12345678Z'), true);
  assert.equal(nifValid('12345678A'), false);
  assert.equal(nifValid('X1234567L'), true);
});

test('Verhoeff, 11-proef, NIR key and codice fiscale check letter', () => {
  assert.equal(verhoeffValid('2363'), true);
  assert.equal(verhoeffValid('2364'), false);
  assert.equal(bsnValid('111222333'), true);
  assert.equal(bsnValid('111222334'), false);
  assert.equal(nirValid('185057800608491'), true);
  assert.equal(nirValid('185057800608492'), false);
  assert.equal(codiceFiscaleValid('RSSMRA85T10A562S'), true);
  assert.equal(codiceFiscaleValid('RSSMRA85T10A562T'), false);
});
