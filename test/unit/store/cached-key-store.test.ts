import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachedKeyStore } from '../../../src/store/cached-key-store.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { KeyStore } from '../../../src/store/store.js';

/** Counts verifyKey calls reaching the database. */
function counting(inner: KeyStore): KeyStore & { verifies: number } {
  const c = Object.create(inner) as KeyStore & { verifies: number };
  c.verifies = 0;
  c.verifyKey = async (s: string) => { c.verifies += 1; return inner.verifyKey(s); };
  return c;
}

test('repeated and concurrent verifications hit the database once per TTL', async () => {
  let t = 1_000;
  const db = new SqliteStore({ path: ':memory:' });
  const inner = counting(db);
  const keys = new CachedKeyStore(inner, { ttlMs: 5_000, now: () => t });
  const { secret } = await keys.createKey({ name: 'k' });
  const all = await Promise.all(Array.from({ length: 50 }, () => keys.verifyKey(secret)));
  assert.ok(all.every((k) => k !== null));
  assert.equal(inner.verifies, 1);
  t += 4_999;
  await keys.verifyKey(secret);
  assert.equal(inner.verifies, 1);
  t += 1;
  await keys.verifyKey(secret);
  assert.equal(inner.verifies, 2);
  await db.close();
});

test('revocation elsewhere takes effect within the TTL; here, at once', async () => {
  let t = 0;
  const db = new SqliteStore({ path: ':memory:' });
  const here = new CachedKeyStore(db, { ttlMs: 5_000, now: () => t });
  const { key, secret } = await here.createKey({ name: 'k' });
  assert.ok(await here.verifyKey(secret));
  await db.revokeKey(key.id); // another instance (or the CLI) revokes it
  assert.ok(await here.verifyKey(secret), 'still cached: the documented caveat');
  t += 5_000;
  assert.equal(await here.verifyKey(secret), null);

  const other = await here.createKey({ name: 'k2' });
  assert.ok(await here.verifyKey(other.secret));
  assert.ok(await here.getKey(other.key.id));
  await here.revokeKey(other.key.id);
  assert.equal(await here.verifyKey(other.secret), null, 'revoking through this instance is immediate');
  assert.notEqual((await here.getKey(other.key.id))?.revokedAt ?? null, null, 'the id cache is dropped too');
  await db.close();
});

test('unknown secrets are cached too, and the cache stays bounded', async () => {
  const db = new SqliteStore({ path: ':memory:' });
  const inner = counting(db);
  const keys = new CachedKeyStore(inner, { ttlMs: 60_000, maxEntries: 3 });
  for (const s of ['a', 'b', 'c', 'a']) await keys.verifyKey(s);
  assert.equal(inner.verifies, 3);
  await keys.verifyKey('d'); // evicts the oldest ('a')
  await keys.verifyKey('a');
  assert.equal(inner.verifies, 5);
  await db.close();
});

test('a failing lookup is not remembered', async () => {
  let fail = true;
  const db = new SqliteStore({ path: ':memory:' });
  const flaky = Object.create(db) as KeyStore;
  flaky.verifyKey = async (s: string) => { if (fail) throw new Error('db down'); return db.verifyKey(s); };
  const keys = new CachedKeyStore(flaky, { ttlMs: 60_000 });
  const { secret } = await db.createKey({ name: 'k' });
  await assert.rejects(keys.verifyKey(secret), /db down/);
  fail = false;
  assert.ok(await keys.verifyKey(secret));
  await db.close();
});
