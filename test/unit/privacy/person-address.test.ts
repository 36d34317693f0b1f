import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, typesOf } from './helpers.js';

test('names introduced by the writer or a label are found', () => {
  assert.deepEqual(findings('Hi, my name is Krisztián Szöllösy and I need help.'), ['PERSON:Krisztián Szöllösy']);
  assert.deepEqual(findings('my name is rubija'), ['PERSON:rubija']);
  assert.deepEqual(findings('Name: Toshimi Arata\nPhone: 0490 75 40 81'), ['PERSON:Toshimi Arata', 'PHONE:0490 75 40 81']);
  assert.deepEqual(findings('Dear Jane Doe,\nyour results are ready.'), ['PERSON:Jane Doe']);
  assert.deepEqual(findings('Thanks for your help.\n\nBest regards,\nAnna Kowalska'), ['PERSON:Anna Kowalska']);
  assert.deepEqual(findings('Please see patient Okafor tomorrow.'), ['PERSON:Okafor']);
  assert.deepEqual(findings('Mr. John Smith will call.'), ['PERSON:John Smith']);
  assert.deepEqual(findings('Call me Ishmael.'), ['PERSON:Ishmael']);
});

test('a title with a surname counts with a personal detail, not in a word problem', () => {
  assert.deepEqual(typesOf('Mr. Baader is a 21 year old man who grew up in Remniku.'), ['PERSON']);
  assert.deepEqual(typesOf("Mrs. Smith's class has 30 students. How many pencils are needed?"), []);
});

test('names of public figures in general questions are not personal data', () => {
  for (const text of ['Please call me tomorrow.', "It's under review.",'According to Immanuel Kant, what is the categorical imperative?', 'When was Angela Merkel born?', 'Dear Sir or Madam, hello World', "What is Lara Croft's mobile phone number?"]) {
    assert.deepEqual(typesOf(text), [], text);
  }
});

test('street addresses in several national formats are found', () => {
  assert.deepEqual(findings('It is 221B Baker Street.'), ['STREET_ADDRESS:221B Baker Street']);
  assert.deepEqual(typesOf('Send it to 221B Baker Street, London'), ['STREET_ADDRESS']);
  assert.deepEqual(typesOf('Meet me at Rua Igreja 25'), ['STREET_ADDRESS']);
  assert.deepEqual(typesOf('Ich wohne in der Villacher Strasse 89.'), ['STREET_ADDRESS']);
  assert.deepEqual(typesOf('PSC 3294, Box 9168\nAPO AA 61487'), ['STREET_ADDRESS']);
  assert.deepEqual(typesOf('It ships to Springfield, IL 62704 next week'), ['STREET_ADDRESS']);
});

test('distances, amounts and ordinary "returned to" phrases are not addresses', () => {
  for (const text of ['The car is at 30 metres from the wall.', 'The applicant returned to work on March 15.', 'He walked 3 blocks down the street.', '10 copies of Wall Street Journal cost $20.',
    'Four years later he returned to Russia, where he remained until his death in 2008.',
    'Opposition culminated in the 2003 Supreme Court case McConnell v. FEC.']) {
    assert.deepEqual(typesOf(text), [], text);
  }
});
