/**
 * Issue 7, keys through the real gateway: created by the admin API and by `switchyard keys create`
 * on the same SQLite file, used with the official openai client, refused when wrong, revoked
 * (through another process: seen within the key cache TTL), and limited to some models.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simConfig, startGateway, startSim, type Proc } from '../../helpers/procs.js';
import { admin, cli, clientFor, createKey, eventually, MASTER, outcome } from './governed.js';

const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

describe('virtual keys through the gateway', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };

  before(async () => {
    sim = await startSim(['--chunks', '2']);
    gw = await startGateway(simConfig(sim.url, ['gpt-oss-20b', 'qwen2.5-7b-instruct']), { env: { SWITCHYARD_MASTER_KEY: MASTER } });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('a key from the admin API works with the openai client; a wrong or missing key is 401', async () => {
    const key = await createKey(gw.origin, { name: 'api-made' });
    const r = await clientFor(gw.url, key.secret).chat.completions.create({ model: 'gpt-oss-20b', ...ask });
    assert.equal(r.choices[0].message.content, 'You said: hello');

    const wrong = await outcome(clientFor(gw.url, `${key.secret.slice(0, -4)}AAAA`).chat.completions.create({ model: 'gpt-oss-20b', ...ask }));
    assert.deepEqual([wrong.status, wrong.code], [401, 'invalid_api_key']);
    const junk = await outcome(clientFor(gw.url, 'sk-not-a-switchyard-key').chat.completions.create({ model: 'gpt-oss-20b', ...ask }));
    assert.deepEqual([junk.status, junk.code], [401, 'invalid_api_key']);
    const none = await fetch(`${gw.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-oss-20b', ...ask }) });
    assert.equal(none.status, 401);
    // A virtual key is not the master key: the admin API refuses it.
    assert.equal((await admin(gw.origin, 'GET', '/admin/keys', undefined, key.secret)).status, 401);
  });

  test('a key made by `switchyard keys create` on the same database works at once', async () => {
    const made = JSON.parse(await cli(['keys', 'create', '--db', gw.dbPath, '--name', 'cli-made', '--json'])) as { id: string; secret: string };
    assert.match(made.secret, /^sk-sy-/);
    const r = await clientFor(gw.url, made.secret).chat.completions.create({ model: 'qwen2.5-7b-instruct', ...ask });
    assert.equal(r.choices[0].finish_reason, 'stop');
    const listed = (await admin(gw.origin, 'GET', '/admin/keys')).body.data as Array<{ id: string; name: string }>;
    assert.ok(listed.some((k) => k.id === made.id && k.name === 'cli-made'));
  });

  test('revoked through the admin API: 401 on the next request', async () => {
    const key = await createKey(gw.origin, { name: 'short-lived' });
    const client = clientFor(gw.url, key.secret);
    await client.chat.completions.create({ model: 'gpt-oss-20b', ...ask });
    assert.equal((await admin(gw.origin, 'DELETE', `/admin/keys/${key.id}`)).status, 200);
    const r = await outcome(client.chat.completions.create({ model: 'gpt-oss-20b', ...ask }));
    assert.deepEqual([r.status, r.code], [401, 'invalid_api_key']);
  });

  test('revoked by `switchyard keys revoke` (another process): 401 within the key cache TTL', async () => {
    const key = await createKey(gw.origin, { name: 'revoked-elsewhere' });
    const client = clientFor(gw.url, key.secret);
    await client.chat.completions.create({ model: 'gpt-oss-20b', ...ask }); // now cached as valid by the gateway
    await cli(['keys', 'revoke', '--db', gw.dbPath, key.id]);
    // The key cache trusts a verified key for 5 s; allow one more second for the request itself.
    const r = await eventually('the revoked key to be refused', async () => {
      const o = await outcome(client.chat.completions.create({ model: 'gpt-oss-20b', ...ask }));
      return o.status === 200 ? undefined : o;
    }, { timeoutMs: 6_000, everyMs: 250 });
    assert.deepEqual([r.status, r.code], [401, 'invalid_api_key']);
    const listed = JSON.parse(await cli(['keys', 'list', '--db', gw.dbPath, '--json'])) as Array<{ id: string; revoked_at: number | null }>;
    assert.ok(listed.find((k) => k.id === key.id)?.revoked_at);
  });

  test("a key limited to 'gpt-oss-*' is 403 model_not_allowed elsewhere", async () => {
    const key = await createKey(gw.origin, { name: 'oss-only', models: ['gpt-oss-*'] });
    const client = clientFor(gw.url, key.secret);
    const ok = await client.chat.completions.create({ model: 'gpt-oss-20b', ...ask });
    assert.equal(ok.model, 'gpt-oss-20b');
    const denied = await outcome(client.chat.completions.create({ model: 'qwen2.5-7b-instruct', ...ask }));
    assert.deepEqual([denied.status, denied.code], [403, 'model_not_allowed']);
    // Streaming requests pass the same gate before any byte is sent.
    const deniedStream = await outcome(client.chat.completions.create({ model: 'qwen2.5-7b-instruct', ...ask, stream: true }));
    assert.deepEqual([deniedStream.status, deniedStream.code], [403, 'model_not_allowed']);
  });
});

describe('a gateway without a master key', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };

  before(async () => {
    sim = await startSim(['--chunks', '1']);
    gw = await startGateway(simConfig(sim.url, ['gpt-oss-20b', 'qwen2.5-7b-instruct']), { env: { SWITCHYARD_MASTER_KEY: '' } });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('is open until the first virtual key exists, then requires one; that key is governed from its first request', async () => {
    const open = clientFor(gw.url, 'anything');
    await open.chat.completions.create({ model: 'gpt-oss-20b', ...ask });
    const made = JSON.parse(await cli(['keys', 'create', '--db', gw.dbPath, '--name', 'first', '--models', 'gpt-oss-*', '--json'])) as { id: string; secret: string };
    // Before the gateway's periodic check (every 5 s) notices that keys now exist, the new key
    // must already be recognised: its allow-list applies and its spend is its own.
    const keyed = clientFor(gw.url, made.secret);
    const denied = await outcome(keyed.chat.completions.create({ model: 'qwen2.5-7b-instruct', ...ask }));
    assert.deepEqual([denied.status, denied.code], [403, 'model_not_allowed']);
    const refused = await eventually('auth to turn on', async () => {
      const o = await outcome(open.chat.completions.create({ model: 'gpt-oss-20b', ...ask }));
      return o.status === 200 ? undefined : o;
    }, { timeoutMs: 7_000, everyMs: 250 });
    assert.deepEqual([refused.status, refused.code], [401, 'invalid_api_key']);
    const r = await keyed.chat.completions.create({ model: 'gpt-oss-20b', ...ask });
    assert.equal(r.choices[0].finish_reason, 'stop');
  });
});
