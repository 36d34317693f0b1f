/**
 * The admin API, framework-free so the server can mount it on any router and tests can call it
 * directly: POST/GET /admin/keys, GET/DELETE /admin/keys/:id, GET /admin/spend. Every route
 * needs the master key (`Authorization: Bearer <master key>`), compared in constant time. Wire
 * format is snake_case, errors are OpenAI-shaped GatewayErrors.
 */
import { asGatewayError, GatewayError, invalidParam } from '../core/errors.js';
import type { NewKey, SpendGroupBy, SpendRow, Store, VirtualKey } from '../store/store.js';
import { constantTimeEqual } from '../store/virtual-key.js';

export interface AdminRequest {
  method: string;
  /** Path with optional query string, e.g. `/admin/spend?group_by=model`. */
  path: string;
  body: unknown;
  authorization?: string;
}

export interface AdminResponse { status: number; body: unknown; headers?: Record<string, string> }

export interface AdminContext {
  store: Pick<Store, 'keys' | 'spend' | 'budgets'>;
  /** Undefined or empty disables the admin API (every call answers 401). */
  masterKey: string | undefined;
}

/** Wire name → store field, for key creation; the reverse names validation errors. */
const KEY_FIELDS: Record<string, keyof NewKey> = {
  name: 'name', models: 'models', budget_day_usd: 'budgetDayUsd', budget_month_usd: 'budgetMonthUsd',
  rpm: 'rpm', tpm: 'tpm', local_only: 'localOnly', reasoning: 'reasoning', cache: 'cache', metadata: 'metadata',
};
const WIRE_NAME = new Map<string, string>(Object.entries(KEY_FIELDS).map(([w, f]) => [f, w]));

const GROUPS: readonly SpendGroupBy[] = ['key', 'model', 'provider', 'day'];

export async function handleAdmin(req: AdminRequest, ctx: AdminContext): Promise<AdminResponse> {
  try {
    authorize(req.authorization, ctx.masterKey);
    const url = new URL(req.path, 'http://admin.invalid');
    const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1); // ['admin', 'keys', id?]
    if (parts[0] !== 'admin') throw notFound(url.pathname);
    const method = req.method.toUpperCase();

    if (parts[1] === 'keys' && parts.length === 2) {
      if (method === 'POST') return { status: 201, body: await createKey(req.body, ctx) };
      if (method === 'GET') return { status: 200, body: { object: 'list', data: (await ctx.store.keys.listKeys()).map(keyJson) } };
      return methodNotAllowed('GET, POST');
    }
    if (parts[1] === 'keys' && parts.length === 3) {
      const id = decodeURIComponent(parts[2]);
      if (method === 'GET') return { status: 200, body: await keyWithBudget(id, ctx) };
      if (method === 'DELETE') return { status: 200, body: await revoke(id, ctx) };
      return methodNotAllowed('GET, DELETE');
    }
    if (parts[1] === 'spend' && parts.length === 2) {
      if (method === 'GET') return { status: 200, body: await spend(url.searchParams, ctx) };
      return methodNotAllowed('GET');
    }
    throw notFound(url.pathname);
  } catch (err) {
    const e = asGatewayError(err);
    const headers: Record<string, string> = {};
    if (e.retryAfterSeconds !== undefined) headers['retry-after'] = String(e.retryAfterSeconds);
    if (e.code === 'invalid_api_key') headers['www-authenticate'] = 'Bearer';
    return { status: e.status, body: e.toJSON(), headers };
  }
}

function authorize(header: string | undefined, masterKey: string | undefined): void {
  if (!masterKey) {
    throw new GatewayError('invalid_api_key', 'The admin API is disabled: no master key is configured (SWITCHYARD_MASTER_KEY).');
  }
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!m || !constantTimeEqual(m[1].trim(), masterKey)) {
    throw new GatewayError('invalid_api_key', 'The admin API needs the master key: Authorization: Bearer <master key>.');
  }
}

const notFound = (path: string) => new GatewayError('not_found', `No admin route ${path}.`);

function methodNotAllowed(allow: string): AdminResponse {
  const e = new GatewayError('method_not_allowed', `Allowed methods: ${allow}.`);
  return { status: e.status, body: e.toJSON(), headers: { allow } };
}

async function createKey(body: unknown, ctx: AdminContext): Promise<unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParam('body', 'The body must be a JSON object with at least `name`.');
  }
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const field = KEY_FIELDS[k];
    if (!field) throw invalidParam(k, `Unknown field \`${k}\`; known: ${Object.keys(KEY_FIELDS).join(', ')}.`);
    input[field] = v;
  }
  if (input.name === undefined) throw new GatewayError('missing_parameter', '`name` is required.', { param: 'name' });
  try {
    // normalizeNewKey (inside createKey) validates with zod; the shape is checked there, not here.
    const { key, secret } = await ctx.store.keys.createKey(input as NewKey);
    return { ...keyJson(key), secret };
  } catch (err) {
    if (err instanceof GatewayError && err.param) {
      const [head, ...rest] = err.param.split('.');
      const wire = [WIRE_NAME.get(head) ?? head, ...rest].join('.');
      throw invalidParam(wire, err.message.replace(err.param, wire));
    }
    throw err;
  }
}

async function keyWithBudget(id: string, ctx: AdminContext): Promise<unknown> {
  const key = await ctx.store.keys.getKey(id);
  if (!key) throw new GatewayError('not_found', `No key with id ${id}.`);
  const s = await ctx.store.budgets.status(id);
  const period = (p: typeof s.day) => ({ period: p.period.slice(2), limit_usd: p.limitUsd, spent_usd: p.spentUsd, reserved_usd: p.reservedUsd });
  return { ...keyJson(key), budget: { day: period(s.day), month: period(s.month) } };
}

async function revoke(id: string, ctx: AdminContext): Promise<unknown> {
  const key = await ctx.store.keys.getKey(id);
  if (!key) throw new GatewayError('not_found', `No key with id ${id}.`);
  await ctx.store.keys.revokeKey(id);
  return { id, object: 'virtual_key', revoked: true };
}

/** Epoch ms, or an ISO date/time. A bare date as `to` includes that whole day. */
function parseTime(param: string, raw: string | null, isUpperBound: boolean): number | undefined {
  if (raw === null || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t)) throw invalidParam(param, `\`${param}\` must be epoch milliseconds or an ISO date (2026-11-25).`);
  return isUpperBound && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? t + 86_400_000 : t;
}

async function spend(q: URLSearchParams, ctx: AdminContext): Promise<unknown> {
  const groupBy = (q.get('group_by') ?? 'key') as SpendGroupBy;
  if (!GROUPS.includes(groupBy)) throw invalidParam('group_by', `\`group_by\` must be one of ${GROUPS.join(', ')}.`);
  const from = parseTime('from', q.get('from'), false);
  const to = parseTime('to', q.get('to'), true);
  const keyId = q.get('key_id') ?? undefined;
  const rows = await ctx.store.spend.spendSummary({ groupBy, from, to, keyId });
  const total = rows.reduce((t, r) => ({
    group: null, requests: t.requests + r.requests, inputTokens: t.inputTokens + r.inputTokens,
    outputTokens: t.outputTokens + r.outputTokens, reasoningTokens: t.reasoningTokens + r.reasoningTokens,
    cachedTokens: t.cachedTokens + r.cachedTokens, costUsd: t.costUsd + r.costUsd,
  }), { group: null, requests: 0, inputTokens: 0, outputTokens: 0, reasoningTokens: 0, cachedTokens: 0, costUsd: 0 } as SpendRow);
  const { group: _none, ...totals } = spendJson(total);
  return {
    object: 'list', group_by: groupBy, from: from ?? null, to: to ?? null, key_id: keyId ?? null,
    data: rows.map(spendJson), total: totals,
  };
}

export function spendJson(r: SpendRow): Record<string, unknown> {
  return {
    group: r.group, requests: r.requests, input_tokens: r.inputTokens, output_tokens: r.outputTokens,
    reasoning_tokens: r.reasoningTokens, cached_tokens: r.cachedTokens, cost_usd: r.costUsd,
  };
}

export function keyJson(k: VirtualKey): Record<string, unknown> {
  return {
    id: k.id, object: 'virtual_key', name: k.name, hint: k.hint, models: k.models,
    budget_day_usd: k.budgetDayUsd, budget_month_usd: k.budgetMonthUsd, rpm: k.rpm, tpm: k.tpm,
    local_only: k.localOnly, reasoning: k.reasoning, cache: k.cache, metadata: k.metadata,
    created_at: Math.floor(k.createdAt / 1000), revoked_at: k.revokedAt === null ? null : Math.floor(k.revokedAt / 1000),
  };
}
