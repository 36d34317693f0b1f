/** `switchyard sim` harmony flags: help lists them, bad values exit 2 with a reason. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/cli/sim.js';
import { runCli } from '../../helpers/cli-io.js';

const cli = (args: string[]) => runCli(run, args);

test('help documents harmony mode and every variant', async () => {
  const { code, out } = await cli(['--help']);
  assert.equal(code, 0);
  for (const s of ['POST /v1/completions', '--harmony-analysis', '--harmony-tool', 'missing-message | no-header-refusal | stray-return | glued-constrain | tool-on-analysis']) {
    assert.ok(out.includes(s), s);
  }
});

test('an unknown variant or a tool that is not JSON exits 2 and says why', async () => {
  const v = await cli(['--harmony-variant', 'sideways']);
  assert.equal(v.code, 2);
  assert.match(v.err, /--harmony-variant must be one of missing-message/);
  const t = await cli(['--harmony-tool', '{not json']);
  assert.equal(t.code, 2);
  assert.match(t.err, /--harmony-tool must be JSON/);
});
