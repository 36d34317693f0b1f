/**
 * Ollama through its native API: `POST /api/chat` (NDJSON when streaming) and `GET /api/tags` for
 * the model list. The request/answer mapping lives in ollama-wire.ts; this file is transport.
 */
import type { Dispatcher } from 'undici';
import { Pool } from './undici-pool.js';
import type { ChatResult, StreamPart } from '../core/types.js';
import { GatewayError } from '../core/errors.js';
import { newToolCallId } from '../core/ids.js';
import type { Provider, ProviderCall } from './provider.js';
import { httpError, networkError, parseUpstreamJson } from './upstream-errors.js';
import { ollamaBody, readOllamaCompletion, readOllamaLine, type OllamaStreamState } from './ollama-wire.js';
import { toAbortSignal, type CancelSignal } from '../core/cancel.js';

export interface OllamaOptions {
  id: string;
  /** Server root, e.g. `http://127.0.0.1:11434` (a trailing `/v1` or `/api` is ignored). */
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxConnections?: number;
  dispatcher?: Dispatcher;
}

export class OllamaProvider implements Provider {
  readonly id: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(opts: OllamaOptions) {
    this.id = opts.id;
    const url = new URL(opts.baseUrl);
    // Users often paste the OpenAI-compatible URL (`…:11434/v1`); the native API sits at the root.
    this.path = url.pathname.replace(/\/+$/, '').replace(/\/(v1|api)$/, '');
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? new Pool(url.origin, { connections: opts.maxConnections ?? 64, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
    this.headers = { 'content-type': 'application/json', ...opts.headers };
    if (opts.apiKey) this.headers.authorization = `Bearer ${opts.apiKey}`;
    this.timeoutMs = opts.timeoutMs ?? 600_000;
  }

  private async request(method: 'GET' | 'POST', path: string, body: string | undefined, signal: CancelSignal | undefined): Promise<Dispatcher.ResponseData> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([toAbortSignal(signal), timeout]) : timeout;
    try {
      return await this.dispatcher.request({ path: this.path + path, method, headers: this.headers, body, signal: combined });
    } catch (err) {
      if (timeout.aborted && !signal?.aborted) throw new GatewayError('upstream_timeout', `upstream ${this.id} timed out after ${this.timeoutMs} ms`);
      throw networkError(this.id, err);
    }
  }

  private async failIfError(res: Dispatcher.ResponseData): Promise<void> {
    if (res.statusCode < 400) return;
    let text = '';
    try { text = await res.body.text(); } catch { /* the status alone */ }
    throw httpError(this.id, res.statusCode, text, res.headers['retry-after']);
  }

  async complete(call: ProviderCall): Promise<ChatResult> {
    const res = await this.request('POST', '/api/chat', JSON.stringify(ollamaBody(call.request, call.upstreamModel, false, call.extraBody)), call.signal);
    await this.failIfError(res);
    let text: string;
    try { text = await res.body.text(); } catch (err) { throw networkError(this.id, err); }
    return readOllamaCompletion(parseUpstreamJson(this.id, text), newToolCallId);
  }

  async stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
    const res = await this.request('POST', '/api/chat', JSON.stringify(ollamaBody(call.request, call.upstreamModel, true, call.extraBody)), call.signal);
    await this.failIfError(res);
    return ndjsonParts(this.id, res.body);
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const res = await this.request('GET', '/api/tags', undefined, signal);
    await this.failIfError(res);
    const j = JSON.parse(await res.body.text()) as { models?: Array<{ name?: unknown; model?: unknown }> };
    return (j.models ?? []).map((m) => String(m.model ?? m.name));
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

async function* ndjsonParts(provider: string, body: Dispatcher.ResponseData['body']): AsyncGenerator<StreamPart> {
  const state: OllamaStreamState = { started: false, tools: 0 };
  const out: StreamPart[] = [];
  const utf8 = new TextDecoder();
  let buf = '';
  let finished = false;
  // Returns an error part for a bad or error line, else appends parts to `out`.
  const line = (l: string): GatewayError | undefined => {
    if (!l.trim()) return undefined;
    let o: unknown;
    try { o = JSON.parse(l); } catch { return new GatewayError('upstream_error', `upstream ${provider} sent a malformed stream line: ${l.slice(0, 200)}`); }
    if (typeof o !== 'object' || o === null) return new GatewayError('upstream_error', `upstream ${provider} sent a malformed stream line: ${l.slice(0, 200)}`);
    const rec = o as Record<string, unknown>;
    if (typeof rec.error === 'string') return new GatewayError('upstream_error', `upstream ${provider} reported an error mid-stream: ${rec.error}`);
    readOllamaLine(rec, state, out, newToolCallId);
    return undefined;
  };
  try {
    for await (const chunk of body) {
      buf += utf8.decode(chunk as Buffer, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const bad = line(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        for (const p of out) yield p;
        out.length = 0;
        if (bad) { yield { type: 'error', error: bad }; return; }
      }
    }
    buf += utf8.decode();
    const bad = line(buf);
    for (const p of out) yield p;
    if (bad) { yield { type: 'error', error: bad }; return; }
    finished = true;
  } catch (err) {
    yield { type: 'error', error: networkError(provider, err) };
  } finally {
    // undici's body emits 'error' when destroyed before its end; with no listener left (the loop
    // is over) that would take the process down.
    if (!finished) body.on('error', () => {}).destroy();
  }
}
