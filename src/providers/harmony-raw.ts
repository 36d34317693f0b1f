/**
 * Provider for a deployment marked `harmony-raw`: an engine that serves gpt-oss but exposes only an
 * OpenAI-style `/v1/completions` endpoint (raw text in, raw text out). Switchyard renders the chat
 * request to a harmony prompt itself, asks the engine to stop at `<|return|>`/`<|call|>` and to keep
 * special tokens in its output, then parses the completion with the lenient harmony parser and maps
 * channels to parts (src/harmony/reasoning-policy.ts): analysis never becomes content.
 */
import { request, type Dispatcher } from 'undici';
import { GatewayError } from '../core/errors.js';
import type { ChatResult, ChoiceResult, StreamPart, Usage } from '../core/types.js';
import { harmonyFromOpenAI } from '../harmony/from-openai.js';
import { renderForCompletion } from '../harmony/render.js';
import { collectChoice, HarmonyPartMapper } from '../harmony/reasoning-policy.js';
import { HarmonyStreamParser } from '../harmony/stream-parser.js';
import { encode } from '../harmony/tokens.js';
import type { SystemContent } from '../harmony/types.js';
import type { Provider, ProviderCall } from './provider.js';
import { sseData } from './sse-data.js';
import { upstreamHttpError, upstreamMessage, upstreamTransportError } from './harmony-raw-errors.js';

export interface HarmonyRawOptions {
  id: string;
  /** Server root (`http://host:8000`) or its `/v1` base. */
  baseUrl: string;
  apiKey?: string;
  dispatcher?: Dispatcher;
  /** Extra system-message fields, e.g. `{ knowledgeCutoff: '2024-06' }`. */
  system?: SystemContent;
  /**
   * The `Current date:` line: `auto` (default) is today's UTC date at request time, so a gateway that
   * runs for weeks never tells the model a stale date; a `YYYY-MM-DD` pins it; null leaves it out.
   */
  currentDate?: 'auto' | string | null;
  /** Clock for `currentDate: 'auto'`, injectable for tests. */
  now?: () => Date;
  /** Tool-call ids, injectable for tests. */
  newId?: () => string;
}

export const HARMONY_STOP = ['<|return|>', '<|call|>'];
/** Sampling fields passed through from the client's body (`n` is not: stream parts carry one choice). */
const PASSTHROUGH = ['temperature', 'top_p', 'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'user'];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class HarmonyRawProvider implements Provider {
  readonly id: string;
  private readonly url: string;
  private readonly opts: HarmonyRawOptions;

  constructor(opts: HarmonyRawOptions) {
    this.id = opts.id;
    this.opts = opts;
    const base = opts.baseUrl.replace(/\/+$/, '');
    this.url = `${base.endsWith('/v1') ? base : `${base}/v1`}/completions`;
  }

  /** The harmony prompt this provider sends for a request (also handy for debugging). */
  prompt(call: ProviderCall): string {
    const { request } = call;
    // The validated views win over the raw body (validation folds `reasoning_content` into `reasoning`).
    const body = { ...request.body, messages: request.messages, reasoning_effort: request.reasoningEffort ?? request.body.reasoning_effort };
    return renderForCompletion(harmonyFromOpenAI(body, { system: { ...this.opts.system, currentDate: this.currentDate() } }));
  }

  private currentDate(): string | null {
    const d = this.opts.currentDate === undefined ? 'auto' : this.opts.currentDate;
    return d === 'auto' ? (this.opts.now?.() ?? new Date()).toISOString().slice(0, 10) : d;
  }

  private body(call: ProviderCall, prompt: string, stream: boolean): Json {
    const src = call.request.body;
    const body: Json = { model: call.upstreamModel, prompt, stream, stop: HARMONY_STOP };
    const maxTokens = call.request.maxTokens ?? num(src.max_completion_tokens) ?? num(src.max_tokens);
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    for (const k of PASSTHROUGH) if (src[k] !== undefined) body[k] = src[k];
    // vLLM-style switches: without them the engine strips the very tokens we parse.
    body.skip_special_tokens = false;
    body.include_stop_str_in_output = true;
    if (stream) body.stream_options = { include_usage: true };
    return { ...body, ...call.extraBody };
  }

  private async post(call: ProviderCall, body: Json): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: body.stream ? 'text/event-stream' : 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.url, { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal, dispatcher: this.opts.dispatcher });
    } catch (err) {
      throw upstreamTransportError(err, call.signal);
    }
    if (res.statusCode >= 400) {
      const text = await res.body.text().catch(() => '');
      throw upstreamHttpError(res.statusCode, text, res.headers);
    }
    return res;
  }

  async complete(call: ProviderCall): Promise<ChatResult> {
    const prompt = this.prompt(call);
    const res = await this.post(call, this.body(call, prompt, false));
    let json: unknown;
    try {
      json = await res.body.json();
    } catch (err) {
      throw new GatewayError('upstream_error', 'upstream returned a body that is not JSON', { cause: err });
    }
    if (!isObj(json) || !Array.isArray(json.choices)) throw new GatewayError('upstream_error', 'upstream response has no choices');
    const choices: ChoiceResult[] = [];
    let outputText = '';
    let reasoningText = '';
    json.choices.forEach((c, i) => {
      const choice = isObj(c) ? c : {};
      const text = typeof choice.text === 'string' ? choice.text : '';
      outputText += text;
      const parser = new HarmonyStreamParser();
      const mapper = new HarmonyPartMapper({ newId: this.opts.newId });
      const parts = [...mapper.mapAll(parser.push(text)), ...mapper.mapAll(parser.end())];
      parts.push(mapper.finish(typeof choice.finish_reason === 'string' ? choice.finish_reason : null));
      const result = collectChoice(parts, num(choice.index) ?? i);
      reasoningText += result.reasoning ?? '';
      choices.push(result);
    });
    return {
      id: typeof json.id === 'string' ? json.id : undefined,
      model: typeof json.model === 'string' ? json.model : call.upstreamModel,
      created: num(json.created),
      choices,
      usage: usageOf(json.usage, prompt, outputText, reasoningText),
    };
  }

  async stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
    const prompt = this.prompt(call);
    const res = await this.post(call, this.body(call, prompt, true));
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('application/json')) {
      // Some engines answer a stream request with a plain JSON error and status 200.
      const text = await res.body.text().catch(() => '');
      throw new GatewayError('upstream_error', `upstream error: ${upstreamMessage(text)}`, { upstreamStatus: res.statusCode });
    }
    return this.parts(call, res, prompt);
  }

  private async *parts(call: ProviderCall, res: Dispatcher.ResponseData, prompt: string): AsyncGenerator<StreamPart> {
    const parser = new HarmonyStreamParser();
    const mapper = new HarmonyPartMapper({ newId: this.opts.newId });
    let started = false;
    let finishReason: string | null = null;
    let done = false;
    let upstreamUsage: unknown;
    let outputText = '';
    let reasoningText = '';
    const out = function* (parts: StreamPart[]): Generator<StreamPart> {
      for (const p of parts) {
        if (p.type === 'reasoning') reasoningText += p.text;
        yield p;
      }
    };
    try {
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') { done = true; break; }
        if (data === '') continue;
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch {
          // A broken event means a broken stream: parsing on would pass a truncated completion off as whole
          // (and flush a half control token such as `<|chan` as text at the end). Same rule as openai-compatible.
          yield { type: 'error', error: new GatewayError('upstream_error', `upstream sent a malformed stream chunk: ${data.slice(0, 200)}`) };
          return;
        }
        if (!isObj(chunk)) continue;
        if (isObj(chunk.error)) {
          yield { type: 'error', error: new GatewayError('upstream_error', String(chunk.error.message ?? 'upstream stream error')) };
          return;
        }
        if (!started) {
          started = true;
          yield { type: 'start', id: typeof chunk.id === 'string' ? chunk.id : undefined, model: typeof chunk.model === 'string' ? chunk.model : call.upstreamModel, created: num(chunk.created) };
        }
        if (chunk.usage) upstreamUsage = chunk.usage;
        const choice = Array.isArray(chunk.choices) && isObj(chunk.choices[0]) ? chunk.choices[0] : undefined;
        if (!choice || (choice.index !== undefined && choice.index !== 0)) continue;
        if (typeof choice.text === 'string' && choice.text) {
          outputText += choice.text;
          yield* out(mapper.mapAll(parser.push(choice.text)));
        }
        if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
      }
      if (!done && finishReason === null) {
        // The engine closed the connection cleanly mid-message (crash, proxy cut): flushing the parser
        // would pass a truncated completion off as whole, a held `<|chan` leaking out as text.
        yield { type: 'error', error: new GatewayError('upstream_error', 'upstream closed the stream before the completion finished') };
        return;
      }
      yield* out(mapper.mapAll(parser.end()));
    } catch (err) {
      yield { type: 'error', error: upstreamTransportError(err, call.signal) };
      return;
    }
    if (!started) yield { type: 'start', model: call.upstreamModel };
    yield mapper.finish(finishReason);
    yield { type: 'usage', usage: usageOf(upstreamUsage, prompt, outputText, reasoningText) };
  }
}

/** Upstream usage when given; otherwise counted with o200k (marked estimated). Reasoning is always counted here. */
function usageOf(raw: unknown, prompt: string, output: string, reasoning: string): Usage {
  const reasoningTokens = reasoning ? encode(reasoning).length : 0;
  if (isObj(raw) && num(raw.prompt_tokens) !== undefined && num(raw.completion_tokens) !== undefined) {
    return { inputTokens: raw.prompt_tokens as number, outputTokens: raw.completion_tokens as number, reasoningTokens };
  }
  return {
    inputTokens: encode(prompt, { allowSpecial: true }).length,
    outputTokens: encode(output, { allowSpecial: true }).length,
    reasoningTokens,
    estimated: true,
  };
}
