/**
 * One error type for the whole gateway. Every failure that reaches a client goes through
 * GatewayError so the HTTP status, OpenAI's `{error:{message,type,param,code}}` shape and
 * the retry decision come from one table (ERROR_CODES), documented in docs/errors.md.
 */

export interface ErrorCodeSpec {
  status: number;
  type: 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error'
    | 'rate_limit_error' | 'api_error' | 'timeout_error' | 'server_error';
  retryable: boolean;
  description: string;
}

export const ERROR_CODES = {
  invalid_json: { status: 400, type: 'invalid_request_error', retryable: false, description: 'The request body is not valid JSON.' },
  invalid_parameter: { status: 400, type: 'invalid_request_error', retryable: false, description: 'A parameter has the wrong type or value; `param` names it.' },
  missing_parameter: { status: 400, type: 'invalid_request_error', retryable: false, description: 'A required parameter is absent; `param` names it.' },
  unsupported_content: { status: 400, type: 'invalid_request_error', retryable: false, description: 'The request carries content (e.g. images) that no deployment of the model accepts.' },
  context_length_exceeded: { status: 400, type: 'invalid_request_error', retryable: false, description: 'The prompt is longer than the context window of every deployment of the model.' },
  invalid_api_key: { status: 401, type: 'authentication_error', retryable: false, description: 'The Authorization header is missing or the key is unknown or revoked.' },
  model_not_allowed: { status: 403, type: 'permission_error', retryable: false, description: 'The key may not use this model.' },
  model_not_found: { status: 404, type: 'not_found_error', retryable: false, description: 'No model of that name is configured.' },
  not_found: { status: 404, type: 'not_found_error', retryable: false, description: 'No such route.' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', retryable: false, description: 'The route exists but not for this HTTP method.' },
  request_too_large: { status: 413, type: 'invalid_request_error', retryable: false, description: 'The body is larger than `server.max_body_bytes`.' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', retryable: false, description: 'The body is not JSON.' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', retryable: true, description: 'A per-key request or token rate limit was hit; see Retry-After.' },
  budget_exceeded: { status: 429, type: 'rate_limit_error', retryable: false, description: 'The key has spent its budget for the period.' },
  upstream_rate_limited: { status: 429, type: 'rate_limit_error', retryable: true, description: 'Every deployment answered 429; the upstream message and Retry-After are kept.' },
  upstream_error: { status: 502, type: 'api_error', retryable: true, description: 'The upstream failed (5xx, reset connection, malformed response); its message is kept.' },
  upstream_bad_request: { status: 400, type: 'invalid_request_error', retryable: false, description: 'The upstream rejected the request as invalid (4xx); its message is kept.' },
  upstream_auth: { status: 502, type: 'api_error', retryable: false, description: 'The upstream rejected the gateway\'s provider key (401/403): a configuration problem.' },
  upstream_unavailable: { status: 503, type: 'api_error', retryable: true, description: 'No deployment could be reached (connection refused, circuit open).' },
  upstream_timeout: { status: 504, type: 'timeout_error', retryable: true, description: 'The upstream did not answer in time.' },
  no_eligible_deployment: { status: 503, type: 'api_error', retryable: false, description: 'Policy (privacy, locality) left no deployment that may serve the request.' },
  shutting_down: { status: 503, type: 'api_error', retryable: true, description: 'The gateway is draining before shutdown.' },
  internal_error: { status: 500, type: 'server_error', retryable: false, description: 'A bug in Switchyard; the log has the details.' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface GatewayErrorOptions {
  param?: string | null;
  status?: number;          // overrides the table, e.g. to keep an upstream 503 as 503
  retryAfterSeconds?: number;
  upstreamStatus?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorCodeSpec['type'];
  readonly param: string | null;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly upstreamStatus?: number;

  constructor(code: ErrorCode, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const spec: ErrorCodeSpec = ERROR_CODES[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = opts.status ?? spec.status;
    this.type = spec.type;
    this.param = opts.param ?? null;
    this.retryable = spec.retryable;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.upstreamStatus = opts.upstreamStatus;
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Any thrown value as a GatewayError; unknown values become internal_error. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GatewayError('internal_error', `internal error: ${message}`, { cause: err });
}

export const invalidParam = (param: string, message: string): GatewayError =>
  new GatewayError('invalid_parameter', message, { param });
