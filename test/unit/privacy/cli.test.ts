import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/cli/privacy.js';
import { runCli as runCommand } from '../../helpers/cli-io.js';

async function runCli(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCommand(run, args, input);
  return { code, stdout: out, stderr: err };
}

test('privacy scan prints sensitive and the entities with UTF-16 offsets, never values', async () => {
  const input = 'Héllo, I am Jane Doe and my SSN is 536-90-4399.';
  const { code, stdout } = await runCli(['scan'], input);
  assert.equal(code, 0);
  const result = JSON.parse(stdout) as { sensitive: boolean; entities: Array<{ type: string; start: number; end: number }> };
  assert.equal(result.sensitive, true);
  assert.deepEqual(result.entities.map((e) => [e.type, input.slice(e.start, e.end)]), [['PERSON', 'Jane Doe'], ['US_SSN', '536-90-4399']]);
  assert.ok(!stdout.includes('536-90'));
});

test('privacy scan on text without personal data prints sensitive false', async () => {
  const { code, stdout } = await runCli(['scan'], 'How many legs does a spider have?');
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), { sensitive: false, entities: [] });
});

test('an unknown subcommand is a usage error with exit code 2', async () => {
  const { code, stderr } = await runCli(['frobnicate'], '');
  assert.equal(code, 2);
  assert.match(stderr, /usage: switchyard privacy scan/);
});
