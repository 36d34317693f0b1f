/** Small helpers around node:http shared by every route. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.js';
import { stringEnd } from '../core/json-scan.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: GatewayError, headers?: Record<string, string>): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const h: Record<string, string> = { ...headers };
  if (err.retryAfterSeconds !== undefined) h['retry-after'] = String(Math.ceil(err.retryAfterSeconds));
  if (err.status === 401) h['www-authenticate'] = 'Bearer realm="switchyard"';
  sendJson(res, err.status, err.toJSON(), h);
}

/**
 * Reads the whole body as a string, refusing more than `limit` bytes (413) without buffering
 * them: a huge upload is cut off at the limit, not read to the end.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new GatewayError('request_too_large', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new GatewayError('request_too_large', `request body exceeds the limit of ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    });
    // A client that disconnects mid-body gets a clean 4xx path, not an internal error (hostile input).
    const cut = (err?: unknown) => {
      if (done) return;
      done = true;
      reject(new GatewayError('invalid_json', 'the client closed the connection before the body was complete', { cause: err }));
    };
    req.on('error', cut);
    req.on('close', () => { if (!req.complete) cut(); });
  });
}

/** Deeper bodies are refused: JSON.parse copes, but JSON.stringify (upstream body, cache key) overflows the stack. */
export const MAX_JSON_DEPTH = 64;

export function parseJson(text: string): unknown {
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new GatewayError('invalid_json', `the request body is nested ${depth > 10_000 ? 'more than 10000' : depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError('invalid_json', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Deepest bracket nesting outside strings; stops counting past 10000. Malformed text is left to JSON.parse. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = stringEnd(text, i);
      if (i < 0) return max; // an unterminated string: nothing after it counts
    } else if (c === 91 || c === 123) { if (++depth > max) { max = depth; if (max > 10_000) return max; } }
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim();
  const k = req.headers['x-api-key'];
  return typeof k === 'string' ? k : undefined;
}
