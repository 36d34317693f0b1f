/** Small helpers around node:http shared by every route. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.js';

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
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError('invalid_json', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim();
  const k = req.headers['x-api-key'];
  return typeof k === 'string' ? k : undefined;
}
