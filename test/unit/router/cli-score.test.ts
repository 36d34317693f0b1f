import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/router.js';
import { memoryIO } from '../../helpers/cli-io.js';

test('score keeps order and ids, reports bad lines on stderr and exits 1 at the end', async () => {
  const io = memoryIO([
    JSON.stringify({ id: 'a', prompt: 'What is the capital of France?' }),
    '{not json',
    JSON.stringify({ id: 7, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'Solve x^2 - 5x + 6 = 0 and explain each step.' }] }),
    JSON.stringify({ id: 'no-text' }),
    JSON.stringify({ id: 'bad-messages', messages: 'hello' }),
    '',
    JSON.stringify({ id: 'z', prompt: 'A train travels 60 km in 45 minutes. What is its average speed in km/h?' }),
  ]);
  const code = await run(['score'], io);
  assert.equal(code, 1);
  const lines = io.out().trim().split('\n').map((l) => JSON.parse(l) as { id: unknown; strong_score: unknown });
  assert.deepEqual(lines.map((l) => l.id), ['a', 7, 'z']);
  for (const l of lines) assert.equal(typeof l.strong_score, 'number');
  const err = io.err();
  assert.match(err, /line 2: not a JSON object/);
  assert.match(err, /line 4 \(id "no-text"\): needs "prompt"/);
  assert.match(err, /line 5 \(id "bad-messages"\): messages must be an array/);
  assert.match(err, /3 bad line\(s\)/);
});

test('score exits 0 when every line is good, and the same prompt scores the same', async () => {
  const line = JSON.stringify({ id: 1, prompt: 'Translate "good morning" into Spanish.' });
  const io = memoryIO([line, line]);
  assert.equal(await run(['score'], io), 0);
  const [a, b] = io.out().trim().split('\n').map((l) => JSON.parse(l) as { strong_score: number });
  assert.equal(a.strong_score, b.strong_score);
  assert.equal(io.err(), '');
});

test('score with a missing weights file fails with a clear message', async () => {
  const io = memoryIO([]);
  assert.equal(await run(['score', '--weights', '/nonexistent/w.json'], io), 1);
  assert.match(io.err(), /cannot read router weights \/nonexistent\/w\.json/);
});

test('unknown subcommands and options are usage errors', async () => {
  const io = memoryIO([]);
  assert.equal(await run(['frobnicate'], io), 2);
  assert.match(io.err(), /usage:/);
  const io2 = memoryIO([]);
  assert.equal(await run(['train', '--bogus', 'x'], io2), 2);
  assert.match(io2.err(), /unknown option --bogus/);
});

test('score refuses a file that is not a router weights file, naming the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'router-w-'));
  try {
    const file = join(dir, 'other.json');
    writeFileSync(file, JSON.stringify({ format: 'something-else' }));
    const io = memoryIO([JSON.stringify({ id: 1, prompt: 'x' })]);
    assert.equal(await run(['score', '--weights', file], io), 1);
    assert.match(io.err(), /not a switchyard-router\/1 weights file/);
    assert.equal(io.out(), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
