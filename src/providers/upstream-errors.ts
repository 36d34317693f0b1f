/**
 * Upstream failures → GatewayError, in one place for every HTTP provider. The upstream's own
 * message is kept (clients debugging a provider need it), prefixed with who said it.
 */
import { GatewayError } from '../core/errors.js';

function messageOf(bodyText: string): string {
  try {
    const j = JSON.parse(bodyText) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = j.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof j.message === 'string') return j.message;
    if (typeof j.detail === 'string') return j.detail;
  } catch { /* not JSON: use the text */ }
  const t = bodyText.trim();
  return t.length > 500 ? `${t.slice(0, 500)}…` : t || '(empty body)';
}

export function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return n;
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

export function httpError(provider: string, status: number, bodyText: string, retryAfter?: string | string[]): GatewayError {
  const msg = `upstream ${provider} returned ${status}: ${messageOf(bodyText)}`;
  const opts = { upstreamStatus: status, retryAfterSeconds: retryAfterSeconds(retryAfter) };
  if (status === 429) return new GatewayError('upstream_rate_limited', msg, opts);
  if (status === 401 || status === 403) return new GatewayError('upstream_auth', msg, opts);
  if (status === 408) return new GatewayError('upstream_timeout', msg, opts);
  if (status >= 400 && status < 500) return new GatewayError('upstream_bad_request', msg, { ...opts, status });
  if (status === 503) return new GatewayError('upstream_unavailable', msg, opts);
  if (status === 504) return new GatewayError('upstream_timeout', msg, opts);
  return new GatewayError('upstream_error', msg, opts);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** A network-level failure (no HTTP status) → 503 unreachable, 504 timeout, or 502. */
export function networkError(provider: string, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const detail = `${code ? `${code}: ` : ''}${e?.message ?? String(err)}`;
  if (UNREACHABLE.has(code)) return new GatewayError('upstream_unavailable', `upstream ${provider} unreachable (${detail})`, { cause: err });
  if (TIMEOUT.has(code) || e?.name === 'TimeoutError') return new GatewayError('upstream_timeout', `upstream ${provider} timed out (${detail})`, { cause: err });
  return new GatewayError('upstream_error', `upstream ${provider} failed (${detail})`, { cause: err });
}

/** An upstream's JSON body, or the error that says it was not JSON (every HTTP provider needs this). */
export function parseUpstreamJson(provider: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError('upstream_error', `upstream ${provider} returned a body that is not JSON: ${text.slice(0, 200)}`);
  }
}
