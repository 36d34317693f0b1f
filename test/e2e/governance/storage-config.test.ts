/**
 * Issue 7: a gateway configured for shared storage must not quietly run on less. A storage
 * variable that is named in the config but missing from the environment stops the start with
 * a message naming it (no database is contacted first, so no server is needed here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simConfig, startGateway } from '../../helpers/procs.js';

const unused = 'postgres://nobody@127.0.0.1:1/none';

test('storage.redis_url_env naming an unset variable is a start-up error, not per-process rate limits', async () => {
  const config = { ...simConfig('http://127.0.0.1:1/v1'), storage: { postgres_url_env: 'SY_E2E_PG_SET', redis_url_env: 'SY_E2E_REDIS_UNSET' } };
  await assert.rejects(startGateway(config, { env: { SY_E2E_PG_SET: unused, SY_E2E_REDIS_UNSET: '' } }), /SY_E2E_REDIS_UNSET is not set/);
});

test('storage.postgres_url_env naming an unset variable is a start-up error, not a private SQLite file', async () => {
  const config = { ...simConfig('http://127.0.0.1:1/v1'), storage: { postgres_url_env: 'SY_E2E_PG_UNSET' } };
  await assert.rejects(startGateway(config, { env: { SY_E2E_PG_UNSET: '' } }), /SY_E2E_PG_UNSET is not set/);
});
