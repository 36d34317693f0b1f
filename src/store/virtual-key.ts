/**
 * Virtual key secrets and policy helpers shared by every key store.
 *
 * A secret is `sk-sy-<id><random>`: 12 hex chars of key id, then 32 random bytes (base64url).
 * The id lets a store fetch one row by primary key; the row holds only SHA-256(secret), which is
 * compared with `timingSafeEqual` so response time says nothing about how much of a guess matched.
 * A plain hash (no salt, no slow KDF) is enough because the secret itself carries 256 random bits.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { invalidParam } from '../core/errors.js';
import type { KeyPolicy, NewKey, VirtualKey } from './store.js';

export const SECRET_PREFIX = 'sk-sy-';
const ID_LENGTH = 12;
const SECRET_LENGTH = SECRET_PREFIX.length + ID_LENGTH + 43;
const ID_RE = /^[0-9a-f]{12}$/;

export interface GeneratedSecret { id: string; secret: string; hash: Buffer; hint: string }

export function generateSecret(): GeneratedSecret {
  const id = randomBytes(ID_LENGTH / 2).toString('hex');
  const secret = SECRET_PREFIX + id + randomBytes(32).toString('base64url');
  return { id, secret, hash: hashSecret(secret), hint: secretHint(secret) };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export const secretHint = (secret: string): string => `${secret.slice(0, SECRET_PREFIX.length + ID_LENGTH)}…`;

/** The key id a well-formed secret names, or null. Malformed input never reaches a database. */
export function keyIdOfSecret(secret: string): string | null {
  if (secret.length !== SECRET_LENGTH || !secret.startsWith(SECRET_PREFIX)) return null;
  const id = secret.slice(SECRET_PREFIX.length, SECRET_PREFIX.length + ID_LENGTH);
  return ID_RE.test(id) ? id : null;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}

/** Constant-time string equality (for the master key): both sides are hashed first so neither content nor length leaks. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hashSecret(a), hashSecret(b));
}

const globCache = new Map<string, RegExp>();
function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    if (globCache.size < 1000) globCache.set(glob, re);
  }
  return re;
}

/** Whether the key may use `model`; entries are exact names or globs (`gpt-oss-*`, `qwen2.5-?b`). */
export function isModelAllowed(key: Pick<KeyPolicy, 'models'>, model: string): boolean {
  if (key.models === null) return true;
  return key.models.some((m) => (m.includes('*') || m.includes('?') ? globToRegExp(m).test(model) : m === model));
}

const usd = z.number().finite().nonnegative().nullable();
// Postgres stores these as integer: keep within int4 so a big value is a 400, not a 500.
const perMinute = z.number().int().positive().max(2_147_483_647).nullable();

/** The admin API and CLI both feed key input through this schema. */
export const newKeySchema = z.object({
  name: z.string().min(1).max(200),
  models: z.array(z.string().min(1).max(200)).max(500).nullable().optional(),
  budgetDayUsd: usd.optional(),
  budgetMonthUsd: usd.optional(),
  rpm: perMinute.optional(),
  tpm: perMinute.optional(),
  localOnly: z.boolean().optional(),
  reasoning: z.enum(['hidden', 'exposed']).optional(),
  cache: z.boolean().optional(),
  metadata: z.object({ team: z.string().max(200).optional(), user: z.string().max(200).optional(), quality: z.number().min(0).max(1).optional() }).strict().optional(),
}).strict();

/** Validated input with defaults filled in (no limits, every model, reasoning hidden). */
export function normalizeNewKey(input: NewKey): { name: string } & KeyPolicy {
  const parsed = newKeySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join('.') || null;
    throw invalidParam(param ?? 'body', `invalid key: ${param ? `${param}: ` : ''}${issue?.message ?? 'bad input'}`);
  }
  const k = parsed.data;
  return {
    name: k.name,
    models: k.models ?? null,
    budgetDayUsd: k.budgetDayUsd ?? null,
    budgetMonthUsd: k.budgetMonthUsd ?? null,
    rpm: k.rpm ?? null,
    tpm: k.tpm ?? null,
    localOnly: k.localOnly ?? false,
    reasoning: k.reasoning ?? 'hidden',
    cache: k.cache ?? false,
    metadata: k.metadata ?? {},
  };
}

/** The row shape SQL backends share; JSON columns are strings, booleans are numbers or booleans. */
export interface KeyRow {
  id: string;
  name: string;
  hint: string;
  models: string | null;
  budget_day_usd: number | string | null;
  budget_month_usd: number | string | null;
  rpm: number | null;
  tpm: number | null;
  local_only: number | boolean;
  reasoning: string;
  cache: number | boolean;
  metadata: string;
  created_at: number | string;
  revoked_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function keyFromRow(r: KeyRow): VirtualKey {
  return {
    id: r.id,
    name: r.name,
    hint: r.hint,
    models: r.models === null ? null : (JSON.parse(r.models) as string[]),
    budgetDayUsd: num(r.budget_day_usd),
    budgetMonthUsd: num(r.budget_month_usd),
    rpm: r.rpm,
    tpm: r.tpm,
    localOnly: Boolean(r.local_only),
    reasoning: r.reasoning === 'exposed' ? 'exposed' : 'hidden',
    cache: Boolean(r.cache),
    metadata: JSON.parse(r.metadata) as VirtualKey['metadata'],
    createdAt: Number(r.created_at),
    revokedAt: num(r.revoked_at),
  };
}
