import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { handleAdmin, type AdminRequest } from '../../../src/server/admin.js';
import { createStore, type ComposedStore } from '../../../src/store/create-store.js';

const MASTER = 'sk-master-test-0123456789';

describe('admin API', () => {
  let dir: string;
  let store: ComposedStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-admin-'));
    store = await createStore({ sqlitePath: join(dir, 'db.sqlite') });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (req: Partial<AdminRequest> & { method: string; path: string }, masterKey: string | undefined = MASTER) =>
    handleAdmin({ body: undefined, authorization: `Bearer ${MASTER}`, ...req }, { store, masterKey });

  test('every route needs the master key; failures are OpenAI-shaped 401s', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${MASTER}`, MASTER, `Bearer ${MASTER}x`]) {
      const r = await call({ method: 'GET', path: '/admin/keys', authorization });
      assert.equal(r.status, 401, String(authorization));
      assert.deepEqual(r.body, { error: {
        message: 'The admin API needs the master key: Authorization: Bearer <master key>.',
        type: 'authentication_error', param: null, code: 'invalid_api_key' } });
    }
    const off = await call({ method: 'GET', path: '/admin/keys' }, '');
    assert.equal(off.status, 401);
    assert.match(JSON.stringify(off.body), /disabled/);
  });

  test('POST /admin/keys returns the secret once; it verifies and is never listed', async () => {
    const r = await call({ method: 'POST', path: '/admin/keys', body: {
      name: 'support-bot', models: ['gpt-oss-*'], budget_day_usd: 2, budget_month_usd: 40, rpm: 30, tpm: 50_000,
      local_only: true, reasoning: 'exposed', metadata: { team: 'support', user: 'lea' },
    } });
    assert.equal(r.status, 201);
    const body = r.body as Record<string, unknown>;
    assert.equal(typeof body.secret, 'string');
    const secret = body.secret as string;
    assert.match(secret, /^sk-sy-/);
    assert.deepEqual({ ...body, secret: 'x', created_at: 0 }, {
      id: body.id, object: 'virtual_key', name: 'support-bot', hint: `${secret.slice(0, 18)}…`, models: ['gpt-oss-*'],
      budget_day_usd: 2, budget_month_usd: 40, rpm: 30, tpm: 50_000, local_only: true, reasoning: 'exposed',
      cache: false, metadata: { team: 'support', user: 'lea' }, created_at: 0, revoked_at: null, secret: 'x',
    });
    assert.equal((await store.keys.verifyKey(secret))?.id, body.id);
    const list = await call({ method: 'GET', path: '/admin/keys' });
    assert.equal(list.status, 200);
    assert.ok(!JSON.stringify(list.body).includes(secret.slice(18)));
    assert.ok((list.body as { data: Array<{ id: string }> }).data.some((k) => k.id === body.id));
  });

  test('invalid key input names the wire parameter', async () => {
    const cases: Array<[unknown, number, string, string]> = [
      [{ name: 'x', budget_day_usd: -1 }, 400, 'invalid_parameter', 'budget_day_usd'],
      [{ name: 'x', rpm: 1.5 }, 400, 'invalid_parameter', 'rpm'],
      [{ name: 'x', reasoning: 'raw' }, 400, 'invalid_parameter', 'reasoning'],
      [{ name: 'x', budgetDayUsd: 1 }, 400, 'invalid_parameter', 'budgetDayUsd'],
      [{ models: ['a'] }, 400, 'missing_parameter', 'name'],
      [[1, 2], 400, 'invalid_parameter', 'body'],
    ];
    for (const [body, status, code, param] of cases) {
      const r = await call({ method: 'POST', path: '/admin/keys', body });
      assert.equal(r.status, status, JSON.stringify(body));
      const err = (r.body as { error: { code: string; param: string } }).error;
      assert.deepEqual([err.code, err.param], [code, param], JSON.stringify(body));
    }
  });

  test('GET /admin/keys/:id shows budget use; DELETE revokes; unknown ids are 404', async () => {
    const { key, secret } = await store.keys.createKey({ name: 'temp', budgetDayUsd: 1 });
    await store.budgets.settle(await store.budgets.reserve(key.id, 0.5), 0.25);
    const got = await call({ method: 'GET', path: `/admin/keys/${key.id}` });
    assert.equal(got.status, 200);
    const budget = (got.body as { budget: { day: Record<string, unknown> } }).budget.day;
    assert.deepEqual({ ...budget, period: '' }, { period: '', limit_usd: 1, spent_usd: 0.25, reserved_usd: 0 });
    const del = await call({ method: 'DELETE', path: `/admin/keys/${key.id}` });
    assert.deepEqual([del.status, del.body], [200, { id: key.id, object: 'virtual_key', revoked: true }]);
    assert.equal(await store.keys.verifyKey(secret), null, 'revocation through the same store is immediate');
    assert.equal((await call({ method: 'DELETE', path: '/admin/keys/ffffffffffff' })).status, 404);
    assert.equal((await call({ method: 'GET', path: '/admin/keys/ffffffffffff' })).status, 404);
  });

  test('GET /admin/spend groups and filters by time', async () => {
    const base = { inputTokens: 10, outputTokens: 5, reasoningTokens: 0, cachedTokens: 0 };
    await store.spend.recordSpend([
      { ...base, ts: Date.UTC(2024, 0, 1, 9), keyId: 'a', model: 'm1', provider: 'p1', costUsd: 1 },
      { ...base, ts: Date.UTC(2024, 0, 2, 9), keyId: 'a', model: 'm2', provider: 'p1', costUsd: 2 },
      { ...base, ts: Date.UTC(2024, 0, 3, 9), keyId: 'b', model: 'm2', provider: 'p2', costUsd: 4 },
    ]);
    const r = await call({ method: 'GET', path: '/admin/spend?group_by=model&from=2024-01-01&to=2024-01-02' });
    assert.equal(r.status, 200);
    const body = r.body as { data: Array<Record<string, unknown>>; total: Record<string, unknown>; to: number };
    assert.deepEqual(body.data.map((d) => [d.group, d.cost_usd]), [['m2', 2], ['m1', 1]]);
    assert.deepEqual(body.total, { requests: 2, input_tokens: 20, output_tokens: 10, reasoning_tokens: 0, cached_tokens: 0, cost_usd: 3 });
    assert.equal(body.to, Date.UTC(2024, 0, 3), 'a bare `to` date includes that day');
    const byDay = await call({ method: 'GET', path: `/admin/spend?group_by=day&from=${Date.UTC(2024, 0, 2)}&to=2024-01-03T00:00:00Z` });
    assert.deepEqual((byDay.body as { data: Array<{ group: string }> }).data.map((d) => d.group), ['2024-01-02']);
    const byKey = await call({ method: 'GET', path: '/admin/spend?group_by=key&key_id=b&from=2024-01-01' });
    assert.deepEqual((byKey.body as { data: Array<{ group: string }> }).data.map((d) => d.group), ['b']);
    const bad = await call({ method: 'GET', path: '/admin/spend?group_by=team' });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { param: string } }).error.param, 'group_by');
    const badTime = await call({ method: 'GET', path: '/admin/spend?from=yesterday' });
    assert.equal((badTime.body as { error: { param: string } }).error.param, 'from');
  });

  test('unknown routes are 404, wrong methods 405 with Allow', async () => {
    assert.equal((await call({ method: 'GET', path: '/admin/nope' })).status, 404);
    const r = await call({ method: 'PUT', path: '/admin/keys' });
    assert.equal(r.status, 405);
    assert.deepEqual(r.headers, { allow: 'GET, POST' });
    assert.equal((r.body as { error: { code: string } }).error.code, 'method_not_allowed');
  });
});
