/**
 * HTTP and transport failures of an upstream → GatewayError, keeping the upstream's own message.
 * (Written for the harmony-raw provider; shaped so other providers can share it.)
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../core/errors.js';
import type { CancelSignal } from '../core/cancel.js';

export function upstreamMessage(text: string): string {
  try {
    const j: unknown = JSON.parse(text);
    if (typeof j === 'object' && j !== null) {
      const o = j as Record<string, unknown>;
      const e = o.error;
      if (typeof e === 'string') return e;
      if (typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>).message === 'string') return (e as Record<string, string>).message;
      if (typeof o.message === 'string') return o.message;
      if (typeof o.detail === 'string') return o.detail;
    }
  } catch { /* not JSON: use the text */ }
  return text.trim().slice(0, 500) || 'no message';
}

function retryAfter(headers: IncomingHttpHeaders): number | undefined {
  const v = headers['retry-after'];
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const secs = Number(s);
  if (Number.isFinite(secs)) return Math.max(0, Math.ceil(secs));
  const date = Date.parse(s);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

export function upstreamHttpError(status: number, body: string, headers: IncomingHttpHeaders): GatewayError {
  const message = `upstream ${status}: ${upstreamMessage(body)}`;
  const opts = { upstreamStatus: status };
  if (status === 429) return new GatewayError('upstream_rate_limited', message, { ...opts, retryAfterSeconds: retryAfter(headers) });
  if (status === 401 || status === 403) return new GatewayError('upstream_auth', message, opts);
  if (status === 408) return new GatewayError('upstream_timeout', message, opts);
  if (status < 500) return new GatewayError('upstream_bad_request', message, opts);
  return new GatewayError('upstream_error', message, opts);
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function upstreamTransportError(err: unknown, signal?: CancelSignal): GatewayError {
  if (err instanceof GatewayError) return err;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof GatewayError) return reason;
    const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
    return new GatewayError(timedOut ? 'upstream_timeout' : 'upstream_error', timedOut ? 'upstream timed out' : 'request aborted', { cause: err });
  }
  const code = codeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code && TIMEOUT_CODES.has(code)) return new GatewayError('upstream_timeout', `upstream timed out (${code})`, { cause: err });
  if (code && UNREACHABLE_CODES.has(code)) return new GatewayError('upstream_unavailable', `upstream unreachable (${code}): ${detail}`, { cause: err });
  return new GatewayError('upstream_error', `upstream connection failed${code ? ` (${code})` : ''}: ${detail}`, { cause: err });
}
