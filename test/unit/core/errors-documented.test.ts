/** Every error code in the one table is documented in docs/errors.md with its status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, GatewayError } from '../../../src/core/errors.js';
import { repoRoot } from '../../helpers/paths.js';

test('each error code is in docs/errors.md with its status', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `docs/errors.md has no row for ${code}`);
    assert.match(row, new RegExp(`\\| ${spec.status} \\|`), `${code}: status ${spec.status} not documented`);
  }
});

test('GatewayError serializes to OpenAI\'s error shape', () => {
  const e = new GatewayError('invalid_parameter', "'temperature' must be a number", { param: 'temperature' });
  assert.deepEqual(e.toJSON(), { error: { message: "'temperature' must be a number", type: 'invalid_request_error', param: 'temperature', code: 'invalid_parameter' } });
  assert.equal(e.status, 400);
});
