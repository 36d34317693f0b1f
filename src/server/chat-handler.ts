/**
 * POST /v1/chat/completions: validate, pick deployments, call the provider, turn its parts into
 * OpenAI JSON or SSE, and queue one usage record per request whatever happens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asGatewayError } from '../core/errors.js';
import type { ChatRequest, FinishReason, Usage } from '../core/types.js';
import { costUsd } from '../core/cost.js';
import { estimateMessagesTokens, estimateTextTokens } from '../core/estimate-tokens.js';
import { newCompletionId, newToolCallId } from '../core/ids.js';
import type { Deployment, Registry } from '../router/registry.js';
import { planRoute, type RoutePlan } from '../router/plan.js';
import { executeComplete, executeStream } from './execute.js';
import type { UsageRecord, UsageSink } from '../store/usage-record.js';
import { ChunkWriter, completionOut, usageOut } from './openai-out.js';
import { parseJson, readBody, sendError, sendJson } from './http-io.js';
import { validateChat } from './validate-chat.js';

export interface ChatContext {
  registry: Registry;
  usage: UsageSink;
  maxBodyBytes: number;
  /** Whether reasoning may leave the gateway for this request (the reasoning policy). */
  exposeReasoning: (req: IncomingMessage) => boolean;
}

interface Outcome {
  deployment: Deployment | null;
  status: number;
  errorCode: string | null;
  usage: Usage;
  cost: number;
  ttftMs: number | null;
  route: string | null;
}

export async function handleChat(req: IncomingMessage, res: ServerResponse, ctx: ChatContext, requestId: string): Promise<void> {
  const t0 = performance.now();
  const ts = Date.now();
  let chat: ChatRequest | undefined;
  const out: Outcome = { deployment: null, status: 200, errorCode: null, usage: { inputTokens: 0, outputTokens: 0 }, cost: 0, ttftMs: null, route: null };
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });
  try {
    chat = validateChat(parseJson(await readBody(req, ctx.maxBodyBytes)));
    const plan = planRoute(ctx.registry, chat, { key: null, headers: req.headers });
    if (chat.stream) await streamChat(res, ctx, chat, plan, abort.signal, out, t0, requestId, req);
    else await completeChat(res, ctx, chat, plan, abort.signal, out, requestId, req);
  } catch (e) {
    const err = asGatewayError(e);
    out.status = res.headersSent ? out.status : err.status;
    out.errorCode = abort.signal.aborted && !res.writableEnded ? 'client_disconnected' : err.code;
    if (err.code === 'internal_error') console.error(`[${requestId}]`, err.cause ?? err);
    if (!abort.signal.aborted) sendError(res, err, { 'x-request-id': requestId });
  } finally {
    const record: UsageRecord = {
      id: requestId,
      ts,
      keyId: null,
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
      meta: null,
    };
    ctx.usage.push(record);
  }
}

function routeHeaders(d: Deployment, route: string, requestId: string): Record<string, string> {
  return {
    'x-request-id': requestId,
    'x-switchyard-model': d.modelName,
    'x-switchyard-provider': d.providerId,
    'x-switchyard-route': route,
  };
}

function settleUsage(chat: ChatRequest, reported: Usage | undefined, generatedChars: string): Usage {
  if (reported) return reported;
  return { inputTokens: estimateMessagesTokens(chat.messages), outputTokens: estimateTextTokens(generatedChars), estimated: true };
}

async function completeChat(
  res: ServerResponse, ctx: ChatContext, chat: ChatRequest, plan: RoutePlan, signal: AbortSignal, out: Outcome, requestId: string, req: IncomingMessage,
): Promise<void> {
  const { value: result, deployment, route } = await executeComplete(plan, chat, signal);
  out.deployment = deployment;
  out.route = route;
  let text = '';
  for (const c of result.choices) text += (c.content ?? '') + (c.reasoning ?? '');
  out.usage = settleUsage(chat, result.usage, text);
  out.cost = costUsd(out.usage, deployment.price);
  const body = completionOut({
    id: result.id ?? newCompletionId(),
    model: chat.model,
    created: result.created ?? Math.floor(Date.now() / 1000),
    result,
    usage: usageOut(out.usage, out.cost),
    exposeReasoning: ctx.exposeReasoning(req),
  });
  sendJson(res, 200, body, { ...routeHeaders(deployment, route, requestId), 'x-switchyard-cost-usd': String(out.cost) });
}

async function streamChat(
  res: ServerResponse, ctx: ChatContext, chat: ChatRequest, plan: RoutePlan, signal: AbortSignal, out: Outcome, t0: number, requestId: string, req: IncomingMessage,
): Promise<void> {
  const { value: parts, deployment, route } = await executeStream(plan, chat, signal);
  out.deployment = deployment;
  out.route = route;
  const expose = ctx.exposeReasoning(req);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...routeHeaders(deployment, route, requestId),
  });
  let writer: ChunkWriter | null = null;
  const created = Math.floor(Date.now() / 1000);
  const begin = (id?: string): ChunkWriter => {
    const w = new ChunkWriter(id ?? newCompletionId(), chat.model, created);
    res.write(w.delta({ role: 'assistant', content: '' }));
    return w;
  };
  let generated = '';
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  // Upstreams that omit tool-call ids (or repeat them on every delta) still give clients one id per call.
  const toolIds = new Map<number, string>();
  for await (const p of parts) {
    if (signal.aborted) break;
    switch (p.type) {
      case 'start':
        writer ??= begin(p.id);
        break;
      case 'text':
        writer ??= begin();
        if (out.ttftMs === null) out.ttftMs = performance.now() - t0;
        generated += p.text;
        res.write(writer.text('content', p.text));
        break;
      case 'reasoning':
        writer ??= begin();
        generated += p.text;
        if (expose) {
          if (out.ttftMs === null) out.ttftMs = performance.now() - t0;
          res.write(writer.text('reasoning', p.text));
        }
        break;
      case 'tool-call': {
        writer ??= begin();
        if (out.ttftMs === null) out.ttftMs = performance.now() - t0;
        const call: Record<string, unknown> = { index: p.index };
        if (!toolIds.has(p.index)) {
          const id = p.id ?? newToolCallId();
          toolIds.set(p.index, id);
          call.id = id;
          call.type = 'function';
          call.function = { name: p.name ?? '', arguments: p.argumentsDelta };
        } else {
          call.function = p.name ? { name: p.name, arguments: p.argumentsDelta } : { arguments: p.argumentsDelta };
        }
        generated += p.argumentsDelta;
        res.write(writer.delta({ tool_calls: [call] }));
        break;
      }
      case 'usage':
        usage = p.usage;
        break;
      case 'finish':
        writer ??= begin();
        finish = p.reason;
        res.write(writer.finish(p.reason));
        break;
      case 'error': {
        // Bytes already reached the client: end the stream with an OpenAI-shaped error event.
        out.errorCode = p.error.code;
        out.usage = settleUsage(chat, usage, generated);
        out.cost = costUsd(out.usage, deployment.price);
        res.write(ChunkWriter.error(p.error.toJSON()));
        res.end();
        return;
      }
    }
  }
  out.usage = settleUsage(chat, usage, generated);
  out.cost = costUsd(out.usage, deployment.price);
  if (signal.aborted) { out.errorCode = 'client_disconnected'; return; }
  writer ??= begin();
  if (!finish) res.write(writer.finish({ unified: 'stop', raw: null }));
  if (chat.includeUsage) res.write(writer.usage(usageOut(out.usage, out.cost)));
  res.end(ChunkWriter.DONE);
}
