/**
 * Request-path cost of the store, per backend: key verification (cached and not), budget
 * reserve+settle, a rate-limit check and a cache read, one at a time, plus reservations for one
 * key fired 100 at a time (the contended case). Prints a markdown table. Postgres and Redis rows
 * need the servers (scripts/ci-services.sh); they are left out, with a note, when unreachable.
 *
 *   npx tsc -p . && node dist/bench/store.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CachedKeyStore } from '../src/store/cached-key-store.js';
import { createStore, type ComposedStore } from '../src/store/create-store.js';
import {
  probePostgres, probeRedis, testRedisUrl, throwawayDatabase, throwawayRedisPrefix,
} from '../test/helpers/services.js';

interface Row { backend: string; op: string; n: number; opsPerSec: number; p50us: number; p99us: number }

async function measure(backend: string, op: string, n: number, fn: () => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(); // warm-up: statement caches, JIT, connections
  const times: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  return { backend, op, n, opsPerSec: n / totalS, p50us: times[Math.floor(n * 0.5)], p99us: times[Math.floor(n * 0.99)] };
}

async function contended(backend: string, store: ComposedStore, keyId: string, rounds: number): Promise<Row> {
  const times: number[] = [];
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const holds = await Promise.all(Array.from({ length: 100 }, () => store.budgets.reserve(keyId, 0.0001)));
    times.push(Number(process.hrtime.bigint() - t0) / 1000 / 100);
    await Promise.all(holds.map((h) => store.budgets.settle(h, 0.0001)));
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  // ops = reservations + settles
  return { backend, op: '100 concurrent reserve (per reservation), then settle', n: rounds * 100,
    opsPerSec: (rounds * 200) / totalS, p50us: times[Math.floor(times.length / 2)], p99us: times[times.length - 1] };
}

async function benchBackend(backend: string, store: ComposedStore, n: number): Promise<Row[]> {
  const rows: Row[] = [];
  const { key, secret } = await store.keys.createKey({ name: 'bench', budgetDayUsd: 1e9, rpm: 1e9, tpm: 2e9 });
  const uncached = store.keys instanceof CachedKeyStore ? store.keys.inner : store.keys;
  rows.push(await measure(backend, 'verifyKey (cached)', n, () => store.keys.verifyKey(secret)));
  rows.push(await measure(backend, 'verifyKey (database)', n, () => uncached.verifyKey(secret)));
  rows.push(await measure(backend, 'reserve + settle', n, async () => store.budgets.settle(await store.budgets.reserve(key.id, 0.001), 0.0005)));
  rows.push(await measure(backend, 'rate limit consume', n, () => store.rateLimiter.consume(key.id, { rpm: 1e9, tpm: 2e9 }, 500)));
  await store.cache.set('bench', { body: { choices: [{ message: { content: 'x'.repeat(2000) } }] }, createdAt: 0 }, 600);
  rows.push(await measure(backend, 'cache get (2 kB)', n, () => store.cache.get('bench')));
  rows.push(await contended(backend, store, key.id, Math.max(2, Math.round(n / 200))));
  return rows;
}

const rows: Row[] = [];
const notes: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
try {
  const sqlite = await createStore({ sqlitePath: join(dir, 'bench.db') });
  rows.push(...await benchBackend('sqlite', sqlite, 2000));
  await sqlite.close();

  const pgProblem = await probePostgres();
  const redisProblem = await probeRedis();
  if (pgProblem) notes.push(`postgres rows skipped: ${pgProblem}`);
  else {
    const db = await throwawayDatabase();
    try {
      const pgStore = await createStore({ postgresUrl: db.url });
      rows.push(...await benchBackend('postgres', pgStore, 500));
      await pgStore.close();
      if (redisProblem) notes.push(`postgres+redis rows skipped: ${redisProblem}`);
      else {
        const ns = throwawayRedisPrefix();
        const both = await createStore({ postgresUrl: db.url, redisUrl: testRedisUrl, redisPrefix: ns.prefix });
        rows.push(...await benchBackend('postgres+redis', both, 500));
        await both.close();
        await ns.cleanup();
      }
    } finally {
      await db.drop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
console.log('| backend | operation | n | ops/s | p50 µs | p99 µs |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.backend} | ${r.op} | ${r.n} | ${f(r.opsPerSec)} | ${f(r.p50us)} | ${f(r.p99us)} |`);
for (const n of notes) console.log(`\n_${n}_`);
console.log(`\nNode ${process.version}, ${new Date().toISOString().slice(0, 10)}; Postgres and Redis on localhost.`);
