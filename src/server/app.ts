/**
 * The HTTP server: a tiny router over node:http (no framework on the hot path) and graceful
 * shutdown. Routes: POST /v1/chat/completions, GET /v1/models, GET /health, /admin/*.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GatewayError, asGatewayError } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import type { Registry } from '../router/registry.js';
import type { ResponseCache, Store } from '../store/store.js';
import type { UsageSink } from '../store/usage-record.js';
import { handleAdmin } from './admin.js';
import { isModelAllowed } from '../store/virtual-key.js';
import { DEFAULT_STREAM_COALESCE_MS, handleChat, type ChatContext } from './chat-handler.js';
import { Governance } from './governance.js';
import { parseJson, readBody, sendError, sendJson } from './http-io.js';
import type { Reliability } from '../reliability/reliability.js';

export interface GatewayOptions {
  registry: Registry;
  usage: UsageSink;
  /** Keys, spend, budgets, rate limits, cache. Null runs an open gateway with no admin API. */
  store?: Store | null;
  maxBodyBytes?: number;
  /** Required for /admin; when set, every /v1 request must carry it or a virtual key. */
  masterKey?: string;
  /** Default reasoning visibility for callers without a key policy: 'hidden' unless configured. */
  reasoning?: 'hidden' | 'exposed';
  cacheTtlSeconds?: number;
  /** See ChatContext.streamCoalesceMs (default 16). */
  streamCoalesceMs?: number;
  /** Timeouts, retries, circuit breakers and balancing; see src/reliability/. */
  reliability?: Reliability;
  /** Slow clients: headers within this (default 20 s)… */
  clientHeadersTimeoutMs?: number;
  /** …and the whole request within this (default 60 s), else 408 and close. */
  clientRequestTimeoutMs?: number;
  /** Called once everything is closed (providers, stores). */
  onClose?: () => Promise<void>;
}

export interface Gateway {
  server: Server;
  governance: Governance;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish up to `drainMs`, flushes the usage log. */
  close(drainMs?: number): Promise<void>;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const maxBodyBytes = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const store = opts.store ?? null;
  const governance = new Governance(store, opts.masterKey);
  let draining = false;
  const ctx: ChatContext = {
    registry: opts.registry,
    usage: opts.usage,
    governance,
    cache: store?.cache ?? null as ResponseCache | null,
    cacheTtlSeconds: opts.cacheTtlSeconds ?? 3600,
    streamCoalesceMs: opts.streamCoalesceMs ?? DEFAULT_STREAM_COALESCE_MS,
    maxBodyBytes,
    reasoningDefault: opts.reasoning ?? 'hidden',
    reliability: opts.reliability,
    draining: () => draining,
  };
  // Chat requests being served; shutdown drains them (their usage records are queued when each settles).
  const inFlight = new Set<Promise<void>>();

  async function listModels(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    try {
      const { key } = await governance.authenticate(req);
      // A key sees the models it may use (virtual models included when allowed).
      const names = [...opts.registry.models.values()].map((m) => ({ name: m.name, created: m.created }))
        .concat([...opts.registry.virtual.keys()].map((name) => ({ name, created: 0 })));
      const data = names.filter((m) => !key || isModelAllowed(key, m.name)).map((m) => ({ id: m.name, object: 'model', created: m.created, owned_by: 'switchyard' }));
      sendJson(res, 200, { object: 'list', data });
    } catch (e) {
      sendError(res, asGatewayError(e), { 'x-request-id': requestId });
    }
  }

  async function admin(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    try {
      if (!store) throw new GatewayError('not_found', 'the admin API needs a store');
      const text = req.method === 'POST' || req.method === 'PUT' ? await readBody(req, 1024 * 1024) : '';
      const body = text ? parseJson(text) : undefined;
      const r = await handleAdmin({ method: req.method ?? 'GET', path: req.url ?? '/', body, authorization: req.headers.authorization }, { store, masterKey: opts.masterKey });
      sendJson(res, r.status, r.body, { 'x-request-id': requestId, ...r.headers });
    } catch (e) {
      sendError(res, asGatewayError(e), { 'x-request-id': requestId });
    }
  }

  // Slow clients (slowloris): headers and the whole request must arrive in time, or Node answers 408
  // and closes. Only the request is timed; a long streamed answer is not.
  const requestTimeout = opts.clientRequestTimeoutMs ?? 60_000;
  // Connections that never sent a request: node counts them as in progress (for headersTimeout), so
  // server.close() would wait for a client's spare socket (undici opens one after an aborted fetch)
  // until the client's idle timeout or the drain deadline. close() destroys them.
  const silent = new Set<Socket>();
  const server = createServer({
    keepAliveTimeout: 65_000,
    requestTimeout,
    headersTimeout: Math.min(opts.clientHeadersTimeoutMs ?? 20_000, requestTimeout),
    connectionsCheckingInterval: Math.min(5_000, Math.max(250, Math.floor(requestTimeout / 4))),
  }, (req, res) => {
    // In the request handler rather than a second 'request' listener: an event with two listeners
    // copies its listener array on every emit.
    silent.delete(req.socket);
    const requestId = newRequestId();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    try {
      if (path === '/v1/chat/completions' || path === '/chat/completions') {
        if (req.method !== 'POST') throw new GatewayError('method_not_allowed', `use POST for ${path}`);
        const p = handleChat(req, res, ctx, requestId);
        inFlight.add(p);
        // then(), not finally(): finally() costs two more promises per request. handleChat answers
        // every error itself; one that escapes it is logged, never a crash.
        p.then(() => { inFlight.delete(p); }, (err: unknown) => {
          inFlight.delete(p);
          console.error(`[${requestId}]`, err);
        });
        return;
      }
      if (path === '/v1/models' || path === '/models') {
        if (req.method !== 'GET') throw new GatewayError('method_not_allowed', `use GET for ${path}`);
        void listModels(req, res, requestId);
        return;
      }
      if (path === '/health' || path === '/healthz') {
        return sendJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok', models: opts.registry.models.size });
      }
      if (path.startsWith('/admin/')) {
        void admin(req, res, requestId);
        return;
      }
      throw new GatewayError('not_found', `no route for ${req.method} ${path}`);
    } catch (e) {
      req.resume();
      sendError(res, asGatewayError(e), { 'x-request-id': requestId });
    }
  });
  server.on('connection', (s: Socket) => { silent.add(s); s.once('close', () => silent.delete(s)); });
  // Malformed HTTP (bad request line, oversized headers) never reaches a handler; answer and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'; // 408: a slow client
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  return {
    server,
    governance,
    listen: async (port, host = '127.0.0.1') => {
      await governance.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => { server.off('error', reject); resolve(server.address() as AddressInfo); });
      });
    },
    close: async (drainMs = 10_000) => {
      draining = true;
      governance.close();
      // Stop accepting; idle keep-alive connections go now, busy ones once their chat settled.
      server.close();
      server.closeIdleConnections();
      // Connections that never sent a request would hold server.close() open; nothing is lost by dropping them.
      for (const s of silent) s.destroy();
      const settle = (ms: number) => Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
      ]);
      await settle(drainMs);
      // Past the deadline: cut what is left; each handler then sees its client gone and still queues its record.
      server.closeAllConnections();
      await settle(2_000);
      await opts.usage.close();
      await Promise.all([...opts.registry.providers.values()].map((p) => p.close?.()));
      await opts.onClose?.();
    },
  };
}
