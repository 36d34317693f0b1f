/**
 * One "instance" for scale-out.test.ts: opens the shared Postgres+Redis store, waits for a line
 * on stdin (so both instances start their load together), fires concurrent budget reservations
 * and rate-limited requests for one key, prints what it was granted as JSON, and exits.
 */
import { createInterface } from 'node:readline';
import { createStore } from '../../../src/store/create-store.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
};

const now = Number(env('SY_NOW')); // one fixed instant for both: same budget day, same rate window
const store = await createStore({
  postgresUrl: env('SY_PG_URL'), redisUrl: env('SY_REDIS_URL'), redisPrefix: env('SY_PREFIX'), now: () => now,
});
const keyId = env('SY_KEY_ID');
const n = Number(env('SY_N'));
const maxCost = Number(env('SY_MAX_COST'));
process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  const rl = createInterface({ input: process.stdin });
  rl.once('line', () => { rl.close(); process.stdin.destroy(); resolve(); });
});

const [reservations, decisions] = await Promise.all([
  Promise.allSettled(Array.from({ length: n }, () => store.budgets.reserve(keyId, maxCost))),
  Promise.all(Array.from({ length: n }, () => store.rateLimiter.consume(keyId, { rpm: Number(env('SY_RPM')), tpm: null }, 10))),
]);
const granted = reservations.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
for (const r of granted) await store.budgets.settle(r, maxCost);
const otherErrors = reservations.filter((r) => r.status === 'rejected' && !String(r.reason).includes('budget')).length;
process.stdout.write(JSON.stringify({ reserved: granted.length, admitted: decisions.filter((d) => d.ok).length, otherErrors }) + '\n');
await store.close();
