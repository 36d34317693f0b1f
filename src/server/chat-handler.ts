/**
 * POST /v1/chat/completions: authenticate, validate, plan, admit (limits and budget hold), call
 * the provider, turn its parts into OpenAI JSON or SSE, settle, and queue one usage record per
 * request whatever happens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, asGatewayError } from '../core/errors.js';
import type { ChatRequest, FinishReason, StreamPart, Usage } from '../core/types.js';
import type { PollableIterator } from '../providers/provider.js';
import { costUsd } from '../core/cost.js';
import { estimateCharTokens, estimateMessagesTokens } from '../core/estimate-tokens.js';
import { newCompletionId, newToolCallId } from '../core/ids.js';
import type { Deployment, Registry } from '../router/registry.js';
import { planRoute, type RoutePlan } from '../router/plan.js';
import type { UsageRecord, UsageSink } from '../store/usage-record.js';
import { responseCacheKey } from '../store/response-cache-key.js';
import type { ResponseCache } from '../store/store.js';
import { executeComplete, executeStream } from './execute.js';
import { runCascade } from './cascade.js';
import { reasoningVisible, type Admission, type Caller, type Governance } from './governance.js';
import { ChunkWriter, completionOut, usageOut } from './openai-out.js';
import { parseJson, readBody, sendError, sendJson } from './http-io.js';
import { validateChat } from './validate-chat.js';
import type { Reliability } from '../reliability/reliability.js';
import { Cancel, type CancelSignal } from '../core/cancel.js';

export interface ChatContext {
  registry: Registry;
  usage: UsageSink;
  governance: Governance;
  cache: ResponseCache | null;
  cacheTtlSeconds: number;
  /**
   * On a fast stream (a local model at hundreds or thousands of tokens/s), an event produced within
   * this many ms of the last socket write waits for the end of that window and goes out with the
   * others. Each write costs the gateway's core ~15–30 µs, which on a core shared with llama.cpp is
   * taken from generation; 16 ms is one frame of a 60 Hz display, so no reader sees the grouping.
   * The role header and the first token are never held.
   */
  streamCoalesceMs?: number;
  maxBodyBytes: number;
  reasoningDefault: 'hidden' | 'exposed';
  /** Timeouts, retries, breakers, balancing (src/reliability/); a default policy when absent. */
  reliability?: Reliability;
  /** True while the gateway drains for shutdown: new chats are refused (503) but still logged. */
  draining?: () => boolean;
}

interface Outcome {
  deployment: Deployment | null;
  status: number;
  errorCode: string | null;
  usage: Usage;
  cost: number;
  ttftMs: number | null;
  route: string | null;
  meta: Record<string, unknown> | null;
}

/** Per-request view shared by the JSON and SSE paths. */
interface Turn {
  res: ServerResponse;
  chat: ChatRequest;
  plan: RoutePlan;
  signal: CancelSignal;
  out: Outcome;
  t0: number;
  requestId: string;
  expose: boolean;
  cacheKey: string | null;
  ctx: ChatContext;
}

export async function handleChat(req: IncomingMessage, res: ServerResponse, ctx: ChatContext, requestId: string): Promise<void> {
  const t0 = performance.now();
  const ts = Date.now();
  let chat: ChatRequest | undefined;
  let caller: Caller = { key: null };
  let admission: Admission | null = null;
  const out: Outcome = { deployment: null, status: 200, errorCode: null, usage: { inputTokens: 0, outputTokens: 0 }, cost: 0, ttftMs: null, route: null, meta: null };
  const abort = new Cancel();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });
  try {
    if (ctx.draining?.()) throw new GatewayError('shutting_down', 'the gateway is shutting down; retry on another instance');
    // authenticate() and planRoute() answer at once unless they have to wait (a key lookup, a
    // virtual model's router): no promise and no await for the common case.
    const auth = ctx.governance.authenticate(req);
    caller = auth instanceof Promise ? await auth : auth;
    chat = validateChat(parseJson(await readBody(req, ctx.maxBodyBytes)));
    const planned = planRoute(ctx.registry, chat, { key: caller.key, headers: req.headers });
    const plan = planned instanceof Promise ? await planned : planned;
    out.meta = plan.meta ?? null;
    if (caller.key) admission = await ctx.governance.admit(caller.key, chat, plan);
    const expose = reasoningVisible(req, caller, ctx.reasoningDefault);
    const cacheKey = ctx.cache && wantsCache(req, caller)
      ? responseCacheKey(chat.body, `${caller.key?.id ?? '-'}|${expose ? 'exposed' : 'hidden'}`)
      : null;
    const turn: Turn = { res, chat, plan, signal: abort, out, t0, requestId, expose, cacheKey, ctx };
    if (cacheKey && await replayCached(turn, cacheKey)) return;
    if (plan.cascade) await cascadeChat(turn);
    else if (chat.stream) await streamChat(turn);
    else await completeChat(turn);
  } catch (e) {
    const err = asGatewayError(e);
    out.status = res.headersSent ? out.status : err.status;
    out.errorCode = abort.aborted && !res.writableEnded ? 'client_disconnected' : err.code;
    if (err.code === 'internal_error') console.error(`[${requestId}]`, err.cause ?? err);
    if (!abort.aborted) sendError(res, err, { 'x-request-id': requestId });
  } finally {
    const record: UsageRecord = {
      id: requestId,
      ts,
      keyId: caller.key?.id ?? null,
      model: chat?.model ?? '',
      servedModel: out.deployment?.modelName ?? null,
      provider: out.deployment?.providerId ?? null,
      deployment: out.deployment?.upstreamModel ?? null,
      stream: chat?.stream ?? false,
      status: out.status,
      errorCode: out.errorCode,
      inputTokens: out.usage.inputTokens,
      outputTokens: out.usage.outputTokens,
      reasoningTokens: out.usage.reasoningTokens ?? 0,
      cachedTokens: out.usage.cachedInputTokens ?? 0,
      usageEstimated: out.usage.estimated ?? false,
      costUsd: out.cost,
      latencyMs: performance.now() - t0,
      ttftMs: out.ttftMs,
      route: out.route,
      meta: out.meta ? JSON.stringify(out.meta) : null,
    };
    ctx.usage.push(record);
    if (admission) {
      ctx.governance.settle(admission, out.usage, out.cost).catch((err) => console.error(`[${requestId}] settling spend failed:`, err));
    }
  }
}

function wantsCache(req: IncomingMessage, caller: Caller): boolean {
  const h = req.headers['x-switchyard-cache'];
  if (h === 'false' || h === 'no') return false;
  if (h === 'true' || h === 'yes') return true;
  return caller.key?.cache ?? false;
}

function routeHeaders(t: Turn, d: Deployment, route: string): Record<string, string> {
  return {
    'x-request-id': t.requestId,
    'x-switchyard-model': d.modelName,
    'x-switchyard-provider': d.providerId,
    'x-switchyard-route': route,
    ...t.plan.headers,
  };
}

/** `generated` counts every output character (reasoning included); `reasoning` the reasoning alone. */
function settleUsage(chat: ChatRequest, reported: Usage | undefined, generated: number, reasoning: number): Usage {
  if (reported) {
    // Ollama, vLLM and llama.cpp stream reasoning but count it only inside completion_tokens: estimate
    // the reasoning share (never more than the completion itself) and say that part is estimated.
    if (!reasoning || reported.reasoningTokens !== undefined) return reported;
    const est = estimateCharTokens(reasoning);
    return { ...reported, reasoningTokens: reported.outputTokens > 0 ? Math.min(est, reported.outputTokens) : est, reasoningEstimated: true };
  }
  const usage: Usage = { inputTokens: estimateMessagesTokens(chat.messages), outputTokens: estimateCharTokens(generated), estimated: true };
  // Issue 7: reasoning tokens are accounted even when the upstream reports no usage.
  if (reasoning) usage.reasoningTokens = estimateCharTokens(reasoning);
  return usage;
}

function priced(d: Deployment, usage: Usage, t0: number): number {
  return d.costOf ? d.costOf(usage, performance.now() - t0) : costUsd(usage, d.price);
}

/** A cached answer costs nothing upstream; it is logged with zero cost and route `cache`. */
async function replayCached(t: Turn, key: string): Promise<boolean> {
  let hit;
  try { hit = await t.ctx.cache!.get(key); } catch { return false; } // a cache outage only costs a miss
  if (!hit) return false;
  t.out.route = 'cache';
  const headers = { 'x-request-id': t.requestId, 'x-switchyard-route': 'cache', 'x-switchyard-cache': 'hit', 'x-switchyard-cost-usd': '0' };
  if (t.chat.stream && hit.chunks) {
    t.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
    for (const c of hit.chunks) t.res.write(`data: ${c}\n\n`);
    t.res.end(ChunkWriter.DONE);
  } else {
    sendJson(t.res, 200, hit.body, headers);
  }
  return true;
}

async function cascadeChat(t: Turn): Promise<void> {
  const r = await runCascade({
    res: t.res, chat: t.chat, cascade: t.plan.cascade!, reason: t.plan.reason, signal: t.signal, expose: t.expose,
    headers: { 'x-request-id': t.requestId, ...t.plan.headers },
    settle: (reported, text, reasoning) => settleUsage(t.chat, reported, text.length, reasoning.length),
    price: (d, usage) => priced(d, usage, t.t0),
  });
  Object.assign(t.out, { deployment: r.deployment, usage: r.usage, cost: r.cost, route: r.route });
  t.out.meta = { ...t.out.meta, cascade: r.attempts };
}

async function completeChat(t: Turn): Promise<void> {
  const { chat, out } = t;
  const { value: result, deployment, route } = await executeComplete(t.plan, chat, t.signal, { reliability: t.ctx.reliability });
  out.deployment = deployment;
  out.route = route;
  let text = '';
  let thought = '';
  for (const c of result.choices) {
    text += (c.content ?? '') + (c.reasoning ?? '');
    thought += c.reasoning ?? '';
  }
  out.usage = settleUsage(chat, result.usage, text.length, thought.length);
  out.cost = priced(deployment, out.usage, t.t0);
  const body = completionOut({
    id: result.id ?? newCompletionId(),
    model: chat.model,
    created: result.created ?? Math.floor(Date.now() / 1000),
    result,
    usage: usageOut(out.usage, out.cost),
    exposeReasoning: t.expose,
  });
  sendJson(t.res, 200, body, { ...routeHeaders(t, deployment, route), 'x-switchyard-cost-usd': String(out.cost) });
  if (t.cacheKey) t.ctx.cache!.set(t.cacheKey, { body, createdAt: Date.now() }, t.ctx.cacheTtlSeconds).catch(() => undefined);
}

/** See ChatContext.streamCoalesceMs. */
export const DEFAULT_STREAM_COALESCE_MS = 16;

async function streamChat(t: Turn): Promise<void> {
  const { res, chat, out, signal } = t;
  const coalesceMs = t.ctx.streamCoalesceMs ?? DEFAULT_STREAM_COALESCE_MS;
  const { value: parts, deployment, route } = await executeStream(t.plan, chat, signal, { reliability: t.ctx.reliability });
  out.deployment = deployment;
  out.route = route;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...routeHeaders(t, deployment, route),
  });
  // Recorded only when the answer will be cached: the hot path does not pay for it otherwise.
  const recorded: string[] | null = t.cacheKey ? [] : null;
  // Fewer, larger socket writes (each costs ~15–30 µs of loopback kernel work, and every piece of
  // a vectored write is converted and framed on its own): events are appended to one string and
  // written once per batch. A batch is everything produced in one turn of the event loop (written
  // in setImmediate, after the upstream read that produced it was fully turned into events: an
  // upstream that sends the whole answer in one read is answered with one write); on a fast
  // stream (a local model at hundreds or thousands of tokens/s) an event produced within
  // coalesceMs of the last write waits for the end of that window instead. The role header and
  // the first token are never held beyond the turn that produced them.
  let pending = '';
  let scheduled = false;
  let timer: NodeJS.Timeout | null = null;
  let lastWrite = -Infinity;
  /** Whether the batch holds more than the role header (which opens no window). */
  let eventsInBatch = false;
  const flush = () => {
    scheduled = false;
    if (timer) { clearTimeout(timer); timer = null; }
    if (pending) {
      res.write(pending);
      pending = '';
      if (eventsInBatch) lastWrite = performance.now();
    }
    eventsInBatch = false;
  };
  const write = (event: string) => {
    if (recorded) recorded.push(event.slice(6, -2)); // strip `data: ` and the blank line
    pending += event;
    eventsInBatch = true;
    if (scheduled) return;
    scheduled = true;
    const wait = coalesceMs - (performance.now() - lastWrite);
    if (wait <= 0) setImmediate(flush);
    else timer = setTimeout(flush, wait);
  };
  /** The rest of the answer and the end of the response, in one write. */
  const end = (last: string) => {
    if (timer) { clearTimeout(timer); timer = null; }
    const rest = pending + last;
    pending = '';
    res.end(rest);
  };
  let writer: ChunkWriter | null = null;
  const created = Math.floor(Date.now() / 1000);
  const begin = (id?: string): ChunkWriter => {
    const w = new ChunkWriter(id ?? newCompletionId(), chat.model, created);
    const role = w.role();
    if (recorded) recorded.push(role.slice(6, -2));
    // Batched like any event: a first token produced in the same turn shares its write. A
    // microtask, not setImmediate: the parts of one upstream read are all queued before it runs,
    // and the loop below takes every part already here before it waits, so the write comes after
    // all of them (and when the whole answer is here, end() writes it and this finds nothing).
    pending += role;
    if (!scheduled) { scheduled = true; queueMicrotask(flush); }
    return w;
  };
  const firstByte = () => { if (out.ttftMs === null) out.ttftMs = performance.now() - t.t0; };
  // Only lengths are kept: they are all the usage estimate needs when an upstream reports none.
  let generated = 0;
  let thought = 0;
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  // Upstreams that omit tool-call ids (or repeat them on every delta) still give clients one id per call.
  let toolIds: Map<number, string> | null = null;
  // As `for await`, but a part already here is taken without a promise (PollableIterator).
  const iter: PollableIterator<StreamPart> = parts[Symbol.asyncIterator]();
  let drained = false;
  try {
    for (;;) {
      const r = iter.poll?.() ?? await iter.next();
      if (r.done) { drained = true; break; }
      const p = r.value;
      if (signal.aborted) break;
      switch (p.type) {
        case 'start':
          writer ??= begin(p.id);
          break;
        case 'text':
          writer ??= begin();
          firstByte();
          generated += p.text.length;
          write(writer.text('content', p.text));
          break;
        case 'raw-chunks':
          writer ??= begin();
          firstByte();
          generated += p.textChars;
          for (const c of p.chunks) write(writer.raw(c));
          break;
        case 'reasoning':
          writer ??= begin();
          generated += p.text.length;
          thought += p.text.length;
          if (t.expose) {
            firstByte();
            write(writer.text('reasoning', p.text));
          }
          break;
        case 'tool-call': {
          writer ??= begin();
          firstByte();
          const call: Record<string, unknown> = { index: p.index };
          toolIds ??= new Map();
          if (!toolIds.has(p.index)) {
            const id = p.id ?? newToolCallId();
            toolIds.set(p.index, id);
            call.id = id;
            call.type = 'function';
            call.function = { name: p.name ?? '', arguments: p.argumentsDelta };
          } else {
            call.function = p.name ? { name: p.name, arguments: p.argumentsDelta } : { arguments: p.argumentsDelta };
          }
          generated += p.argumentsDelta.length;
          write(writer.delta({ tool_calls: [call] }));
          break;
        }
        case 'usage':
          usage = p.usage;
          break;
        case 'finish':
          writer ??= begin();
          finish = p.reason;
          write(writer.finish(p.reason));
          break;
        case 'error': {
          // Bytes already reached the client: end the stream with an OpenAI-shaped error event.
          out.errorCode = p.error.code;
          out.usage = settleUsage(chat, usage, generated, thought);
          out.cost = priced(deployment, out.usage, t.t0);
          end(ChunkWriter.error(p.error.toJSON()));
          return;
        }
      }
    }
  } finally {
    // Left early (the client left, an error part, a throw): the provider's stream is given back.
    if (!drained) await iter.return?.();
  }
  out.usage = settleUsage(chat, usage, generated, thought);
  out.cost = priced(deployment, out.usage, t.t0);
  if (signal.aborted) { if (timer) clearTimeout(timer); pending = ''; out.errorCode = 'client_disconnected'; return; }
  writer ??= begin();
  if (!finish) write(writer.finish({ unified: 'stop', raw: null }));
  if (chat.includeUsage) write(writer.usage(usageOut(out.usage, out.cost)));
  end(ChunkWriter.DONE);
  if (recorded && t.cacheKey) t.ctx.cache!.set(t.cacheKey, { body: null, chunks: recorded, createdAt: Date.now() }, t.ctx.cacheTtlSeconds).catch(() => undefined);
}
