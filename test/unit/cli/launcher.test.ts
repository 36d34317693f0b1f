import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

const bin = join(repoRoot, 'bin', 'switchyard.js');

test('the bin and `npm start` start Node with the same flags, and the bin runs as an executable', () => {
  const shebang = readFileSync(bin, 'utf8').split('\n')[0];
  const m = /^#!\/usr\/bin\/env -S node( .*)?$/.exec(shebang);
  assert.ok(m, `unexpected shebang: ${shebang}`);
  const flags = (m[1] ?? '').trim();
  assert.match(flags, /--min-semi-space-size=\d+/);
  const start = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  assert.equal(start, `node ${flags} bin/switchyard.js serve`);
  // Run as `switchyard` is run once installed: through the shebang (env -S), not `node bin/…`.
  const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  assert.match(help, /^usage: switchyard <command>/);
});
