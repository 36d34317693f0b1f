/**
 * The HTTP server: a tiny router over node:http (no framework on the hot path), auth, and
 * graceful shutdown. Routes: POST /v1/chat/completions, GET /v1/models, GET /health.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GatewayError, asGatewayError } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import type { Registry } from '../router/registry.js';
import type { UsageSink } from '../store/usage-record.js';
import { handleChat } from './chat-handler.js';
import { bearer, sendError, sendJson } from './http-io.js';

export interface GatewayOptions {
  registry: Registry;
  usage: UsageSink;
  maxBodyBytes?: number;
  /** When set, every /v1 request must carry it as a Bearer token. */
  masterKey?: string;
  /** Default reasoning visibility: 'hidden' unless configured otherwise. */
  reasoning?: 'hidden' | 'exposed';
}

export interface Gateway {
  server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish up to `drainMs`, flushes the usage log. */
  close(drainMs?: number): Promise<void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function createGateway(opts: GatewayOptions): Gateway {
  const maxBodyBytes = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const masterDigest = opts.masterKey ? digest(opts.masterKey) : null;
  let draining = false;
  const ctx = {
    registry: opts.registry,
    usage: opts.usage,
    maxBodyBytes,
    exposeReasoning: (req: IncomingMessage): boolean => {
      const asked = req.headers['x-switchyard-reasoning'];
      if (asked === 'hidden') return false;
      if (asked === 'exposed') return true;
      return opts.reasoning === 'exposed';
    },
  };

  function authorize(req: IncomingMessage): void {
    if (!masterDigest) return;
    const key = bearer(req);
    // Compare digests so the comparison takes the same time whatever the key's length.
    if (!key || !timingSafeEqual(digest(key), masterDigest)) {
      throw new GatewayError('invalid_api_key', key ? 'Incorrect API key provided' : 'Missing API key: send it as "Authorization: Bearer <key>"');
    }
  }

  function listModels(res: ServerResponse): void {
    const data = [...opts.registry.models.values()].map((m) => ({ id: m.name, object: 'model', created: m.created, owned_by: 'switchyard' }));
    sendJson(res, 200, { object: 'list', data });
  }

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    const requestId = newRequestId();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    try {
      if (path === '/v1/chat/completions' || path === '/chat/completions') {
        if (req.method !== 'POST') throw new GatewayError('method_not_allowed', `use POST for ${path}`);
        if (draining) throw new GatewayError('shutting_down', 'the gateway is shutting down; retry on another instance');
        authorize(req);
        void handleChat(req, res, ctx, requestId);
        return;
      }
      if (path === '/v1/models' || path === '/models') {
        authorize(req);
        return listModels(res);
      }
      if (path === '/health' || path === '/healthz') {
        return sendJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok', models: opts.registry.models.size });
      }
      throw new GatewayError('not_found', `no route for ${req.method} ${path}`);
    } catch (e) {
      req.resume();
      sendError(res, asGatewayError(e), { 'x-request-id': requestId });
    }
  });
  // Malformed HTTP (bad request line, oversized headers) never reaches a handler; answer and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  return {
    server,
    listen: (port, host = '127.0.0.1') => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(server.address() as AddressInfo); });
    }),
    close: async (drainMs = 10_000) => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, drainMs).unref());
      await Promise.race([closed, deadline]);
      server.closeAllConnections();
      await opts.usage.close();
      await Promise.all([...opts.registry.providers.values()].map((p) => p.close?.()));
    },
  };
}
