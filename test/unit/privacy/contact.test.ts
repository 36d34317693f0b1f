import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, typesOf } from './helpers.js';

test('e-mail addresses are found, with a trailing full stop left out', () => {
  assert.deepEqual(findings('Write to jane.doe+billing@example.co.uk.'), ['EMAIL:jane.doe+billing@example.co.uk']);
  assert.deepEqual(findings('You said your email is SueDHague@armyspy.com. Is that correct?'), ['EMAIL:SueDHague@armyspy.com']);
});

test('things with an @ that are not e-mail addresses are not', () => {
  assert.deepEqual(typesOf('npm i @types/node and ping @alice on chat; user@localhost'), []);
});

test('international and E.164 phone numbers are found without any cue', () => {
  for (const phone of ['+44 20 7946 0958', '+1 (415) 555-0132', '+49 30 12345678', '+8613812345678', '+46 (0)8 928 571 38', '+33 1 23 45 67 89']) {
    assert.deepEqual(findings(`The number is ${phone} if needed`).filter((f) => f.startsWith('PHONE')), [`PHONE:${phone}`], phone);
  }
});

test('North American formats with separators are found on their own', () => {
  assert.deepEqual(findings("They're not answering at 780-999-2181"), ['PHONE:780-999-2181']);
  assert.deepEqual(findings('Desk: (898)666-3621x0135'), ['PHONE:(898)666-3621x0135']);
});

test('national formats count next to a phone cue', () => {
  assert.deepEqual(findings('Tel: 06 12 34 56 78'), ['PHONE:06 12 34 56 78']);
  assert.deepEqual(findings('My number is 020 7946 0958'), ['PHONE:020 7946 0958']);
  assert.deepEqual(findings('Can someone call me on 9472 7916? I have questions.'), ['PHONE:9472 7916']);
  assert.deepEqual(findings('Fax: 9498777106'), ['PHONE:9498777106']);
});

test('common national and international layouts are recognised', () => {
  for (const [text, phone] of [
    ['+44 (0)20 7946 0958', '+44 (0)20 7946 0958'],
    ['0044 20 7946 0958', '0044 20 7946 0958'],
    ['+7 (495) 123-45-67', '+7 (495) 123-45-67'],
    ['+55 11 91234-5678', '+55 11 91234-5678'],
    ['tel:+14155550132', '+14155550132'],
    ['Tel. 030/12345678', '030/12345678'],
    ['call (02) 9876 5432', '(02) 9876 5432'],
    ['Handy: 0151 23456789', '0151 23456789'],
    ['1-800-555-0199', '1-800-555-0199'],
  ]) assert.deepEqual(findings(text), [`PHONE:${phone}`], text);
});

test('years, prices, thousands, dates and arithmetic are not phone numbers', () => {
  for (const text of [
    'Between 1990 2000 and 2010 the population grew.',
    'The house sold for $1 250 000 in 2019.',
    'A population of 7 800 000 people.',
    'Released on 2023-04-13 12:20:39.',
    'Compute 12345 * 678 + 90 - 1234567.',
    'The answer is 3.14159265 approximately.',
    'x = 5 +4471234567 is not a phone number',
    'Call of Duty 2019 sold 12 000 000 copies.',
    'ISBN 978-3-16-148410-0, chapter 3, pages 123-145.',
  ]) assert.deepEqual(typesOf(text), [], text);
});
