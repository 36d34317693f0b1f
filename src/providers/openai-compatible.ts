/**
 * The base adapter for every OpenAI-compatible upstream. Vendors differ only in configuration
 * (base URL, auth header, dialect), never in copied code. One undici Pool per upstream origin
 * keeps connections alive, which is most of the gateway's latency budget.
 */
import type { Dispatcher } from 'undici';
import { Pool } from './undici-pool.js';
import type { ChatResult, StreamPart } from '../core/types.js';
import { GatewayError } from '../core/errors.js';
import type { Provider, ProviderCall } from './provider.js';
import { readCompletion } from './openai-wire.js';
import { BufferedExchange, SseExchange, type BufferedResponse } from './upstream-exchange.js';
import { ChunkShapes } from './passthrough-chunk.js';
import { httpError, networkError, parseUpstreamJson } from './upstream-errors.js';
import { newToolCallId } from '../core/ids.js';
import { applyEffort, mapReasoningInput, type Dialect } from './presets/dialect.js';
import { PRESETS } from './presets/presets.js';

/** Request fields that steer Switchyard itself and never go upstream (OpenRouter-style routing fields). */
const GATEWAY_FIELDS = ['provider', 'models'] as const;
/** Client fields the upstream body does not copy: the gateway sets the first three itself. */
const NOT_COPIED: ReadonlySet<string> = new Set(['model', 'stream', 'stream_options', ...GATEWAY_FIELDS]);

export interface OpenAICompatibleOptions {
  id: string;
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  maxConnections?: number;
  // --- reliability: timeout mechanics (time to first token, idle gap and total per deployment are
  // enforced around every provider in src/server/execute.ts; connecting is the pool's job) ---
  /** TCP/TLS connect timeout, ms (config `timeouts.connect_ms`). */
  connectTimeoutMs?: number;
  // --- end reliability ---
  /** Injected for tests; by default a keep-alive Pool on the base URL's origin. */
  dispatcher?: Dispatcher;
  /** The vendor's dialect (presets.ts); by default plain OpenAI. */
  dialect?: Dialect;
  /** Rewrites the upstream body after the dialect mapping, for one-off needs. */
  transformBody?: (body: Record<string, unknown>, call: ProviderCall) => void;
}

export class OpenAICompatibleProvider implements Provider {
  readonly id: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly path: string;
  private readonly chatPath: string;
  private readonly headers: Record<string, string>;
  readonly dialect: Dialect;
  /** What this upstream's stream chunks look like, learned from its streams (plain dialect only). */
  private readonly shapes: ChunkShapes | undefined;

  constructor(private readonly opts: OpenAICompatibleOptions) {
    this.id = opts.id;
    const url = new URL(opts.baseUrl);
    this.path = url.pathname.replace(/\/+$/, '');
    this.chatPath = `${this.path}/chat/completions`;
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? new Pool(url.origin, {
      connections: opts.maxConnections ?? 256,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: 0, // execute.ts's timers decide (see complete())
      bodyTimeout: 0,
      connectTimeout: opts.connectTimeoutMs ?? 10_000, // reliability: a black-holed host fails over fast
    });
    this.headers = { 'content-type': 'application/json', ...opts.headers };
    if (opts.apiKey) this.headers.authorization = `Bearer ${opts.apiKey}`;
    this.dialect = opts.dialect ?? PRESETS['openai-compatible'].dialect;
    this.shapes = this.dialect === PRESETS['openai-compatible'].dialect ? new ChunkShapes() : undefined;
  }

  private body(call: ProviderCall, stream: boolean): string {
    const src = call.request.body;
    // A fresh object that starts with the gateway's own keys and then takes the client's others.
    // (A spread copy that then gained stream_options and lost the routing fields was an object
    // JSON.stringify serializes on its slow path: 3.1 us against 0.95 us for a one-line chat.)
    let body: Record<string, unknown>;
    if (stream) {
      // Always ask for usage: the gateway accounts every request even if the client did not ask.
      const so = src.stream_options;
      body = { model: call.upstreamModel, stream, stream_options: { ...(so && typeof so === 'object' ? so : {}), include_usage: true } };
    } else {
      body = { model: call.upstreamModel, stream };
    }
    for (const k in src) {
      if (NOT_COPIED.has(k)) continue;
      // A `__proto__` key from JSON is data, as the client sent it: never the object's prototype.
      if (k === '__proto__') Object.defineProperty(body, k, { value: src[k], enumerable: true, writable: true, configurable: true });
      else body[k] = src[k];
    }
    const messages = body.messages;
    const mapped = mapReasoningInput(messages, this.dialect.reasoningInput);
    if (mapped !== messages) body.messages = mapped;
    applyEffort(body, this.dialect.effort, call.request.reasoningEffort);
    if (call.extraBody) Object.assign(body, call.extraBody);
    this.opts.transformBody?.(body, call);
    return JSON.stringify(body);
  }

  private dispatchOptions(body: string): Dispatcher.DispatchOptions {
    return {
      path: this.chatPath, method: 'POST', headers: this.headers, body,
    };
  }

  private failure(err: unknown): GatewayError {
    const code = (err as { code?: string })?.code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      // Only from an injected dispatcher that sets its own timeouts: this adapter's pool sets none.
      return new GatewayError('upstream_timeout', `upstream ${this.id} timed out`);
    }
    return networkError(this.id, err);
  }

  // No deadline of its own: every call comes through execute.ts, which enforces the timeout
  // policy (ttft, idle, total; a provider's `timeout_ms` is its total) around it and aborts it
  // through the call's signal. undici's per-request headers and body timers were a second copy
  // of that deadline, set and cleared on every request and refreshed on every body chunk.
  async complete(call: ProviderCall): Promise<ChatResult> {
    const body = this.body(call, false);
    let res: BufferedResponse;
    try {
      res = await new Promise<BufferedResponse>((resolve, reject) => {
        this.dispatcher.dispatch(this.dispatchOptions(body), new BufferedExchange(call.signal, resolve, reject));
      });
    } catch (err) {
      throw this.failure(err);
    }
    if (res.status >= 400) throw httpError(this.id, res.status, res.text, res.retryAfter);
    return readCompletion(parseUpstreamJson(this.id, res.text), newToolCallId);
  }

  stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
    const ex = new SseExchange({
      provider: this.id,
      signal: call.signal,
      failure: (err) => this.failure(err),
      httpError: (status, text, retryAfter) => httpError(this.id, status, text, retryAfter),
      // Plain chunks are forwarded as text only for the plain OpenAI dialect: others put
      // reasoning, usage or ids in places the pass-through does not look at.
      passthrough: this.shapes !== undefined,
      shapes: this.shapes,
    });
    this.dispatcher.dispatch(this.dispatchOptions(this.body(call, true)), ex);
    return ex.opened;
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const res = await this.dispatcher.request({ path: `${this.path}/models`, method: 'GET', headers: this.headers, signal });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw httpError(this.id, res.statusCode, text);
    const data = (JSON.parse(text) as { data?: Array<{ id?: unknown }> }).data ?? [];
    return data.map((m) => String(m.id));
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
