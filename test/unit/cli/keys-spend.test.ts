import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { run as keys } from '../../../src/cli/keys.js';
import { run as spend } from '../../../src/cli/spend.js';
import { createStore } from '../../../src/store/create-store.js';
import { runCli } from '../../helpers/cli-io.js';

const cli = (cmd: typeof keys, args: string[]) => runCli(cmd, args);

describe('switchyard keys / spend', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  const db = join(dir, 'nested', 'switchyard.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keys create prints the secret once; the key works and carries every flag', async () => {
    const r = await cli(keys, ['create', '--db', db, '--name', 'ci-bot', '--models', 'gpt-oss-*, qwen2.5-7b',
      '--budget-day', '1.5', '--budget-month', '20', '--rpm', '60', '--tpm', '90000', '--local-only',
      '--reasoning', 'exposed', '--team', 'platform', '--user', 'sam']);
    assert.equal(r.code, 0, r.err);
    const secret = /(sk-sy-\S+)/.exec(r.out)?.[1];
    assert.ok(secret, r.out);
    assert.match(r.out, /shown only once/);
    const store = await createStore({ sqlitePath: db });
    try {
      const key = await store.keys.verifyKey(secret);
      assert.ok(key);
      assert.deepEqual(
        [key.name, key.models, key.budgetDayUsd, key.budgetMonthUsd, key.rpm, key.tpm, key.localOnly, key.reasoning, key.metadata],
        ['ci-bot', ['gpt-oss-*', 'qwen2.5-7b'], 1.5, 20, 60, 90000, true, 'exposed', { team: 'platform', user: 'sam' }],
      );
    } finally {
      await store.close();
    }
  });

  test('keys list shows keys without secrets; --json is machine-readable', async () => {
    const created = JSON.parse((await cli(keys, ['create', '--db', db, '--name', 'json-key', '--json'])).out) as { id: string; secret: string };
    const table = await cli(keys, ['list', '--db', db]);
    assert.equal(table.code, 0);
    assert.match(table.out, /^ID\s+NAME\s+KEY\s+MODELS/);
    assert.match(table.out, new RegExp(`${created.id}\\s+json-key`));
    assert.ok(!table.out.includes(created.secret.slice(18)));
    const listed = JSON.parse((await cli(keys, ['list', '--db', db, '--json'])).out) as Array<{ id: string; name: string }>;
    assert.deepEqual(listed.map((k) => k.name), ['ci-bot', 'json-key']);
  });

  test('keys revoke: the key stops working; revoking again or an unknown id fails', async () => {
    const created = JSON.parse((await cli(keys, ['create', '--db', db, '--name', 'gone', '--json'])).out) as { id: string; secret: string };
    assert.deepEqual(await cli(keys, ['revoke', created.id, '--db', db]), { code: 0, out: `Revoked key ${created.id}.\n`, err: '' });
    const again = await cli(keys, ['revoke', created.id, '--db', db]);
    assert.deepEqual([again.code, again.err], [1, `Key ${created.id} was already revoked.\n`]);
    assert.equal((await cli(keys, ['revoke', 'ffffffffffff', '--db', db])).code, 1);
    const store = await createStore({ sqlitePath: db });
    assert.equal(await store.keys.verifyKey(created.secret), null);
    await store.close();
    assert.match((await cli(keys, ['list', '--db', db])).out, /gone\s.*revoked \d{4}-\d{2}-\d{2}/);
  });

  test('usage mistakes exit 2 with the usage', async () => {
    for (const args of [['create', '--db', db], ['frobnicate'], ['create', '--name', 'x', '--rpm', 'many', '--db', db], ['list', '--bogus'], []]) {
      const r = await cli(keys, args);
      assert.equal(r.code, 2, args.join(' '));
    }
    const bad = await cli(keys, ['create', '--db', db, '--name', 'x', '--reasoning', 'raw']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /reasoning/);
  });

  test('spend aggregates by key, model, provider and day, as a table or JSON', async () => {
    const store = await createStore({ sqlitePath: db });
    const e = { inputTokens: 1000, outputTokens: 100, reasoningTokens: 10, cachedTokens: 0 };
    await store.spend.recordSpend([
      { ...e, ts: Date.UTC(2025, 5, 1, 8), keyId: 'k1', model: 'gpt-oss-120b', provider: 'groq', costUsd: 0.25 },
      { ...e, ts: Date.UTC(2025, 5, 2, 8), keyId: 'k1', model: 'gpt-oss-20b', provider: 'local', costUsd: 0 },
      { ...e, ts: Date.UTC(2025, 5, 2, 9), keyId: 'k2', model: 'gpt-oss-120b', provider: 'together', costUsd: 0.5 },
    ]);
    await store.close();
    const byModel = await cli(spend, ['--db', db, '--by', 'model']);
    assert.equal(byModel.code, 0, byModel.err);
    assert.deepEqual(byModel.out.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['MODEL', 'gpt-oss-120b', 'gpt-oss-20b', 'TOTAL']);
    assert.match(byModel.out, /TOTAL\s+3\s+\$0\.750000/);
    const byDay = JSON.parse((await cli(spend, ['--db', db, '--by', 'day', '--from', '2025-06-02', '--to', '2025-06-02', '--json'])).out) as {
      data: Array<{ group: string; requests: number; cost_usd: number }>;
    };
    assert.deepEqual(byDay.data.map((d) => [d.group, d.requests, d.cost_usd]), [['2025-06-02', 2, 0.5]]);
    const k1 = JSON.parse((await cli(spend, ['--db', db, '--by', 'provider', '--key', 'k1', '--json'])).out) as { data: Array<{ group: string }> };
    assert.deepEqual(k1.data.map((d) => d.group), ['groq', 'local']);
    assert.equal((await cli(spend, ['--db', db, '--by', 'team'])).code, 2);
    assert.equal((await cli(spend, ['--db', db, '--from', 'last week'])).code, 2);
  });
});
