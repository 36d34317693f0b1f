/**
 * Keeps key lookups off the database on the request path. Verified keys (and unknown secrets)
 * are remembered for `ttlMs`, concurrent misses for one secret share one query, and the map is
 * bounded. The price: a key revoked through another instance (or the CLI) keeps working here for
 * up to `ttlMs`; revocations through this instance take effect at once.
 */
import { createHash } from 'node:crypto';
import type { Clock, KeyStore, NewKey, VirtualKey } from './store.js';

export const DEFAULT_KEY_CACHE_TTL_MS = 5_000;

interface Entry { value: Promise<VirtualKey | null>; expiresAt: number }

export class CachedKeyStore implements KeyStore {
  private readonly bySecret = new Map<string, Entry>();
  private readonly byId = new Map<string, Entry>();
  private readonly now: Clock;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(readonly inner: KeyStore, opts: { ttlMs?: number; now?: Clock; maxEntries?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? DEFAULT_KEY_CACHE_TTL_MS;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  private cached(map: Map<string, Entry>, k: string, load: () => Promise<VirtualKey | null>): Promise<VirtualKey | null> {
    const now = this.now();
    const hit = map.get(k);
    if (hit && hit.expiresAt > now) return hit.value;
    // Map iteration order is insertion order: dropping the first entry drops the oldest.
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value as string);
    const value = load();
    const entry = { value, expiresAt: now + this.ttlMs };
    map.set(k, entry);
    // A failed lookup (database down) must not be remembered as an answer.
    value.catch(() => { if (map.get(k) === entry) map.delete(k); });
    return value;
  }

  verifyKey(secret: string): Promise<VirtualKey | null> {
    if (this.ttlMs <= 0) return this.inner.verifyKey(secret);
    const digest = createHash('sha256').update(secret).digest('base64');
    return this.cached(this.bySecret, digest, () => this.inner.verifyKey(secret));
  }

  getKey(id: string): Promise<VirtualKey | null> {
    if (this.ttlMs <= 0) return this.inner.getKey(id);
    return this.cached(this.byId, id, () => this.inner.getKey(id));
  }

  createKey(input: NewKey): Promise<{ key: VirtualKey; secret: string }> {
    return this.inner.createKey(input);
  }

  listKeys(): Promise<VirtualKey[]> {
    return this.inner.listKeys();
  }

  async revokeKey(id: string): Promise<boolean> {
    const revoked = await this.inner.revokeKey(id);
    this.invalidate(id);
    return revoked;
  }

  /** Forgets everything cached for one key id (secrets included). */
  invalidate(id: string): void {
    this.byId.delete(id);
    for (const [k, e] of this.bySecret) {
      void e.value.then((key) => { if (key?.id === id && this.bySecret.get(k) === e) this.bySecret.delete(k); }, () => undefined);
    }
  }
}
