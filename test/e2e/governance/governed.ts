/**
 * Shared by the governance end-to-end suites (issue 7): a gateway with a master key, the admin
 * API over HTTP, the `switchyard` CLI as a child process, and bounded polling for effects that
 * land asynchronously (batched spend writes, the key cache TTL).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { cliPath } from '../../helpers/paths.js';

export const MASTER = 'sk-master-e2e-governance';

const run = promisify(execFile);

/** Runs `switchyard ...args` to completion; rejects with its stderr on a non-zero exit. */
export async function cli(args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } });
  return stdout;
}

export interface AdminReply { status: number; body: Record<string, unknown>; headers: Headers }

export async function admin(origin: string, method: string, path: string, body?: unknown, token = MASTER): Promise<AdminReply> {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown>, headers: res.headers };
}

export interface CreatedKey { id: string; secret: string }

/** POST /admin/keys with the master key; fails the test unless it answers 201. */
export async function createKey(origin: string, body: Record<string, unknown>): Promise<CreatedKey> {
  const r = await admin(origin, 'POST', '/admin/keys', body);
  if (r.status !== 201) throw new Error(`creating a key answered ${r.status}: ${JSON.stringify(r.body)}`);
  return { id: String(r.body.id), secret: String(r.body.secret) };
}

export function clientFor(url: string, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: url, apiKey, maxRetries: 0 });
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}

export interface SpendTotals { requests: number; input_tokens: number; output_tokens: number; reasoning_tokens: number; cached_tokens: number; cost_usd: number }

/** GET /admin/spend once `requests` of them are recorded (spend is written in batches). */
export async function spendOnce(origin: string, query: string, requests: number): Promise<{ data: Array<SpendTotals & { group: string | null }>; total: SpendTotals }> {
  return eventually(`${requests} requests in /admin/spend?${query}`, async () => {
    const r = await admin(origin, 'GET', `/admin/spend?${query}`);
    const body = r.body as unknown as { data: Array<SpendTotals & { group: string | null }>; total: SpendTotals };
    return body.total.requests >= requests ? body : undefined;
  });
}

/** The `{status, code, retryAfter}` of an APIError, or of success. */
export async function outcome(p: Promise<unknown>): Promise<{ status: number; code: string | null; retryAfter: string | null }> {
  try {
    await p;
    return { status: 200, code: null, retryAfter: null };
  } catch (e) {
    if (!(e instanceof OpenAI.APIError)) throw e;
    return { status: e.status ?? 0, code: typeof e.code === 'string' ? e.code : null, retryAfter: e.headers?.get('retry-after') ?? null };
  }
}

/** Milliseconds until the next UTC minute: rate windows are aligned to it. */
export const msToNextMinute = (): number => 60_000 - (Date.now() % 60_000);
