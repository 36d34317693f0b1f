/**
 * Graceful shutdown, end to end: SIGTERM while a stream is in flight lets it finish, refuses
 * new work, writes the usage record and exits 0.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

describe('SIGTERM drains in-flight streams', () => {
  let sim: Proc;
  let gw: Proc & { dbPath: string };

  before(async () => {
    sim = await startSim(['--chunks', '10', '--chunk-interval-ms', '80']);
    gw = await startGateway({
      providers: [{ id: 's', type: 'openai-compatible', base_url: sim.url }],
      models: [{ name: 'm', deployments: [{ provider: 's', model: 'm' }] }],
    });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('a stream started before SIGTERM completes; the gateway then exits 0 with the record written', async () => {
    const client = new OpenAI({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'drain me please' }], stream: true });
    let text = '';
    let finish: string | null = null;
    let exited: Promise<number | null> | null = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (!exited && text) {
        exited = gw.stop('SIGTERM'); // mid-stream
        // The signal arrives asynchronously: wait (bounded) until the gateway says it is draining.
        for (let i = 0; i < 100; i++) {
          const h = await fetch(`${gw.origin}/health`).then((r) => r.status, () => 0);
          if (h !== 200) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        const late = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'too late' }] }).then(() => null, (e: Error) => e);
        assert.ok(late, 'a request arriving while draining is refused, not served');
      }
    }
    assert.equal(text, 'You said: drain me please');
    assert.equal(finish, 'stop');
    assert.equal(await exited, 0);
    const db = new Database(gw.dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT status, stream, error_code FROM request_log ORDER BY ts').all() as Array<{ status: number; stream: number; error_code: string | null }>;
      assert.deepEqual(rows[0], { status: 200, stream: 1, error_code: null });
    } finally {
      db.close();
    }
  });
});
