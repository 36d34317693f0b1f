/**
 * Two processes on one Postgres and one Redis share a key's budget and rate limit: concurrent
 * load from both sides never gets past either. (The server-level scale-out test builds on this.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createStore } from '../../../src/store/create-store.js';
import {
  probePostgres, probeRedis, skipUnlessReachable, testPgUrl, testRedisUrl, throwawayDatabase, throwawayRedisPrefix,
} from '../../helpers/services.js';

const skip = skipUnlessReachable('postgres', testPgUrl, await probePostgres())
  || skipUnlessReachable('redis', testRedisUrl, await probeRedis());
const worker = join(fileURLToPath(new URL('.', import.meta.url)), 'scale-out-worker.js');

interface Instance { ready: Promise<void>; result: Promise<{ reserved: number; admitted: number; otherErrors: number }>; go(): void }

function startInstance(env: Record<string, string>): Instance {
  const child = spawn(process.execPath, [worker], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  lines.on('line', (l) => { const w = waiters.shift(); if (w) w(l); else queue.push(l); });
  const next = () => new Promise<string>((resolve, reject) => {
    const l = queue.shift();
    if (l !== undefined) resolve(l);
    else waiters.push(resolve);
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
  const ready = next().then((l) => assert.equal(l, 'ready'));
  return {
    ready,
    result: ready.then(next).then((l) => JSON.parse(l) as never),
    go: () => child.stdin.end('go\n'),
  };
}

test('two instances share one budget and one rate limit under concurrent load', { skip }, async () => {
  const db = await throwawayDatabase();
  const ns = throwawayRedisPrefix();
  const now = Date.UTC(2026, 0, 15, 12, 0, 30);
  const setup = await createStore({ postgresUrl: db.url, redisUrl: testRedisUrl, redisPrefix: ns.prefix, now: () => now });
  try {
    const { key } = await setup.keys.createKey({ name: 'shared', budgetDayUsd: 10 });
    // $9.90 already spent: $0.10 of room, at $0.01 per request → exactly 10 fit across both instances.
    await setup.budgets.settle(await setup.budgets.reserve(key.id, 9.9), 9.9);
    const env = {
      SY_PG_URL: db.url, SY_REDIS_URL: testRedisUrl, SY_PREFIX: ns.prefix, SY_KEY_ID: key.id,
      SY_NOW: String(now), SY_N: '60', SY_MAX_COST: '0.01', SY_RPM: '50',
    };
    const a = startInstance(env);
    const b = startInstance(env);
    // The result promise is awaited below; an early failure must not go unhandled meanwhile.
    a.result.catch(() => undefined);
    b.result.catch(() => undefined);
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const [ra, rb] = await Promise.all([a.result, b.result]);
    assert.equal(ra.otherErrors + rb.otherErrors, 0);
    assert.equal(ra.reserved + rb.reserved, 10, `budget: ${ra.reserved} + ${rb.reserved} reservations granted`);
    assert.equal(ra.admitted + rb.admitted, 50, `rate: ${ra.admitted} + ${rb.admitted} requests admitted`);
    const s = await setup.budgets.status(key.id);
    assert.ok(Math.abs(s.day.spentUsd - 10) < 1e-9, `spent ${s.day.spentUsd}`);
    assert.equal(s.day.reservedUsd, 0);
  } finally {
    await setup.close();
    await Promise.all([db.drop(), ns.cleanup()]);
  }
});
