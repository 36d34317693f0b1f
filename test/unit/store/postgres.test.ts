import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createStore } from '../../../src/store/create-store.js';
import { probePostgres, skipUnlessReachable, testPgUrl, throwawayDatabase } from '../../helpers/services.js';
import { storeConformance } from './conformance.js';

const skip = skipUnlessReachable('postgres', testPgUrl, await probePostgres());

storeConformance('postgres', async (clock) => {
  const db = await throwawayDatabase();
  const store = await createStore({ postgresUrl: db.url, now: clock.now });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}, { skip });

test('an idle connection the server ends is replaced, not a crash', { skip }, async () => {
  const db = await throwawayDatabase();
  const store = await createStore({ postgresUrl: db.url });
  const pool = store.pgPool!;
  const logged: string[] = [];
  const origError = console.error;
  console.error = (...a: unknown[]) => { logged.push(a.map(String).join(' ')); };
  try {
    await store.keys.listKeys(); // leaves an idle client in the pool
    assert.ok(pool.idleCount >= 1);
    const admin = new pg.Client({ connectionString: testPgUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [new URL(db.url).pathname.slice(1)]);
      assert.ok(rows.length >= 1 && rows.every((r: { ok: boolean }) => r.ok));
    } finally {
      await admin.end();
    }
    // The pool hears the end of its idle client as an error event (uncaught without a listener).
    for (let i = 0; i < 50 && !logged.length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(logged.join('\n'), /PostgreSQL connection was closed by the server/);
    assert.deepEqual(await store.keys.listKeys(), []); // a new connection serves the next query
  } finally {
    console.error = origError;
    await store.close();
    await db.drop();
  }
});
