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
import { readChunk, readCompletion, type ChunkState } from './openai-wire.js';
import { SseDecoder } from './sse-decoder.js';
import { httpError, networkError, parseUpstreamJson } from './upstream-errors.js';
import { newToolCallId } from '../core/ids.js';
import { applyEffort, mapReasoningInput, type Dialect } from './presets/dialect.js';
import { PRESETS } from './presets/presets.js';
import type { CancelSignal } from '../core/cancel.js';
import { plainChunk } from './passthrough-chunk.js';

/** Request fields that steer Switchyard itself and never go upstream (OpenRouter-style routing fields). */
const GATEWAY_FIELDS = ['provider', 'models'] as const;

export interface OpenAICompatibleOptions {
  id: string;
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Total time allowed for a request, ms. */
  timeoutMs?: number;
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
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  readonly dialect: Dialect;

  constructor(private readonly opts: OpenAICompatibleOptions) {
    this.id = opts.id;
    const url = new URL(opts.baseUrl);
    this.path = url.pathname.replace(/\/+$/, '');
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? new Pool(url.origin, {
      connections: opts.maxConnections ?? 256,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: 0, // our own timers decide; see timeoutMs
      bodyTimeout: 0,
      connectTimeout: opts.connectTimeoutMs ?? 10_000, // reliability: a black-holed host fails over fast
    });
    this.headers = { 'content-type': 'application/json', ...opts.headers };
    if (opts.apiKey) this.headers.authorization = `Bearer ${opts.apiKey}`;
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    this.dialect = opts.dialect ?? PRESETS['openai-compatible'].dialect;
  }

  private body(call: ProviderCall, stream: boolean): string {
    const body: Record<string, unknown> = { ...call.request.body, model: call.upstreamModel, stream };
    if (stream) {
      // Always ask for usage: the gateway accounts every request even if the client did not ask.
      const so = body.stream_options;
      body.stream_options = { ...(so && typeof so === 'object' ? so : {}), include_usage: true };
    } else {
      delete body.stream_options;
    }
    for (const f of GATEWAY_FIELDS) delete body[f];
    body.messages = mapReasoningInput(body.messages, this.dialect.reasoningInput);
    applyEffort(body, this.dialect.effort, call.request.reasoningEffort);
    if (call.extraBody) Object.assign(body, call.extraBody);
    this.opts.transformBody?.(body, call);
    return JSON.stringify(body);
  }

  // The caller's signal goes to undici as it is (undici reads only `aborted`, `reason` and the
  // abort listener methods, which a Cancel has), and the provider's own deadline is undici's
  // per-request headers and body (idle) timeouts: no controller, listener or timer per call.
  // The gateway's execute.ts enforces the full timeout policy (ttft, idle, total) above this.
  private async post(path: string, body: string, signal: CancelSignal): Promise<Dispatcher.ResponseData> {
    try {
      return await this.dispatcher.request({
        path: this.path + path, method: 'POST', headers: this.headers, body, signal: signal as AbortSignal,
        headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw this.failure(err);
    }
  }

  private failure(err: unknown): GatewayError {
    const code = (err as { code?: string })?.code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new GatewayError('upstream_timeout', `upstream ${this.id} timed out after ${this.timeoutMs} ms`);
    }
    return networkError(this.id, err);
  }

  async complete(call: ProviderCall): Promise<ChatResult> {
    const res = await this.post('/chat/completions', this.body(call, false), call.signal);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.failure(err);
    }
    if (res.statusCode >= 400) throw httpError(this.id, res.statusCode, text, res.headers['retry-after']);
    return readCompletion(parseUpstreamJson(this.id, text), newToolCallId);
  }

  async stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
    const res = await this.post('/chat/completions', this.body(call, true), call.signal);
    if (res.statusCode >= 400) {
      let text = '';
      try { text = await res.body.text(); } catch { /* keep the status alone */ }
      throw httpError(this.id, res.statusCode, text, res.headers['retry-after']);
    }
    const ctype = String(res.headers['content-type'] ?? '');
    if (ctype.includes('application/json')) {
      // Some servers ignore stream:true and answer with one JSON body; replay it as parts.
      const text = await res.body.text();
      return replayAsParts(readCompletion(JSON.parse(text), newToolCallId));
    }
    // Plain chunks are forwarded as text only for the plain OpenAI dialect: others put reasoning,
    // usage or ids in places the pass-through does not look at.
    const passthrough = this.dialect === PRESETS['openai-compatible'].dialect;
    return sseParts(this.id, res.body, (err) => this.failure(err), passthrough);
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

async function* sseParts(
  provider: string, body: Dispatcher.ResponseData['body'], failure: (err: unknown) => GatewayError,
  passthrough = false,
): AsyncGenerator<StreamPart> {
  const out: StreamPart[] = [];
  const state: ChunkState = { started: false };
  let done = false;
  let bad: GatewayError | undefined;
  // Consecutive plain chunks become one part, so a read full of them is one trip through the
  // part iterators instead of one per chunk.
  let raw: Extract<StreamPart, { type: 'raw-chunks' }> | null = null;
  const decoder = new SseDecoder((data) => {
    if (done || bad) return;
    if (data === '[DONE]') { done = true; raw = null; return; }
    if (passthrough && state.started) {
      const plain = plainChunk(data);
      if (plain) {
        if (raw) { raw.chunks.push(plain.rest); raw.textChars += plain.textChars; }
        else { raw = { type: 'raw-chunks', chunks: [plain.rest], textChars: plain.textChars }; out.push(raw); }
        return;
      }
    }
    raw = null;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      bad = new GatewayError('upstream_error', `upstream ${provider} sent a malformed stream chunk: ${data.slice(0, 200)}`);
      return;
    }
    const err = (json as { error?: unknown }).error;
    if (err) {
      const msg = typeof err === 'object' && err && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : JSON.stringify(err);
      bad = new GatewayError('upstream_error', `upstream ${provider} reported an error mid-stream: ${msg}`);
      return;
    }
    readChunk(json, state, out);
  });
  // Created on the first read that needs it (a character split across reads): most streams never
  // do, and each decoder holds a native converter for as long as its stream is open.
  let utf8: TextDecoder | null = null;
  let clean = true;
  let finished = false;
  try {
    // destroyOnReturn: false, so that leaving the loop at [DONE] does not destroy the body (which
    // costs an AbortError with a stack trace per request); the rest is drained below instead.
    for await (const chunk of body.iterator({ destroyOnReturn: false })) {
      // Buffer#toString is the fast decoder, safe whenever no character is split across reads:
      // the TextDecoder (which keeps a split character's bytes) is clean after a read that ended
      // in an ASCII byte, and this read ends in one too.
      const buf = chunk as Buffer;
      const asciiEnd = buf.length > 0 && buf[buf.length - 1] < 0x80;
      decoder.push(asciiEnd && clean ? buf.toString('utf8') : (utf8 ??= new TextDecoder()).decode(buf, { stream: true }));
      clean = asciiEnd;
      raw = null; // a part already handed out is never appended to
      for (let i = 0; i < out.length; i++) yield out[i];
      out.length = 0;
      if (bad) { yield { type: 'error', error: bad }; return; }
      if (done) break;
    }
    if (!done) {
      if (utf8) decoder.push(utf8.decode());
      decoder.end();
    }
    for (let i = 0; i < out.length; i++) yield out[i];
    if (bad) { yield { type: 'error', error: bad }; return; }
    finished = true;
  } catch (err) {
    yield { type: 'error', error: failure(err) };
    return;
  } finally {
    // After [DONE] only the end of the chunked body is left: read it so the connection stays
    // in the pool. Otherwise (client gone, upstream error) cut the upstream request.
    // The loop's iterator no longer listens for 'error' here, and undici's body emits one when
    // destroyed before its end: without a listener that would crash the process.
    if (finished && !body.readableEnded) body.dump().catch(() => {});
    else if (!finished) body.on('error', () => {}).destroy();
  }
}

async function* replayAsParts(result: ChatResult): AsyncGenerator<StreamPart> {
  yield { type: 'start', id: result.id, model: result.model, created: result.created };
  const c = result.choices[0];
  if (c) {
    if (c.reasoning) yield { type: 'reasoning', text: c.reasoning };
    if (c.content) yield { type: 'text', text: c.content };
    if (c.toolCalls) {
      for (let index = 0; index < c.toolCalls.length; index++) {
        const tc = c.toolCalls[index];
        yield { type: 'tool-call', index, id: tc.id, name: tc.function.name, argumentsDelta: tc.function.arguments };
      }
    }
    yield { type: 'finish', reason: c.finish };
  }
  if (result.usage) yield { type: 'usage', usage: result.usage };
}
