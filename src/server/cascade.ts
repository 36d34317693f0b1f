/**
 * The cascade routing mode: ask the reflex model (non-streaming, so its answer can be checked),
 * accept the answer if the checks pass, else escalate to the thinking model. The client gets one
 * answer — as JSON or replayed as a stream — with the usage and cost of every attempt.
 */
import { asGatewayError } from '../core/errors.js';
import type { ChatRequest, ChatResult, Usage } from '../core/types.js';
import { newCompletionId, newToolCallId } from '../core/ids.js';
import { checkAnswer } from '../router/cascade-checks.js';
import type { Deployment } from '../router/registry.js';
import type { CascadePlan } from '../router/virtual.js';
import { executeComplete } from './execute.js';
import { ChunkWriter, completionOut, usageOut } from './openai-out.js';
import { sendJson } from './http-io.js';
import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '../core/cancel.js';

export interface CascadeTurn {
  res: ServerResponse;
  chat: ChatRequest;
  cascade: CascadePlan;
  reason: string;
  signal: CancelSignal;
  expose: boolean;
  headers: Record<string, string>;
  /** Usage with the gateway's estimate when the upstream gave none. */
  settle: (reported: Usage | undefined, generated: string, reasoning: string) => Usage;
  price: (d: Deployment, usage: Usage) => number;
}

export interface CascadeOutcome {
  deployment: Deployment;
  usage: Usage;
  cost: number;
  route: string;
  attempts: Array<{ model: string; provider: string; cost: number; failure: string | null }>;
}

const textOf = (r: ChatResult) => r.choices.map((c) => (c.content ?? '') + (c.toolCalls ?? []).map((t) => t.function.arguments).join('')).join('');
const reasoningOf = (r: ChatResult) => r.choices.map((c) => c.reasoning ?? '').join('');

function addUsage(a: Usage, b: Usage): Usage {
  const u: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  if (a.reasoningTokens !== undefined || b.reasoningTokens !== undefined) u.reasoningTokens = (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0);
  if (a.cachedInputTokens !== undefined || b.cachedInputTokens !== undefined) u.cachedInputTokens = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  if (a.estimated || b.estimated) u.estimated = true;
  if (a.reasoningEstimated || b.reasoningEstimated) u.reasoningEstimated = true;
  return u;
}

export async function runCascade(t: CascadeTurn): Promise<CascadeOutcome> {
  const attempts: CascadeOutcome['attempts'] = [];
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let cost = 0;
  let failure: string | null;
  let answer: { result: ChatResult; deployment: Deployment } | null = null;
  try {
    const first = await executeComplete({ deployments: t.cascade.reflex, reason: t.reason }, t.chat, t.signal);
    const u = t.settle(first.value.usage, textOf(first.value), reasoningOf(first.value));
    const c = t.price(first.deployment, u);
    usage = addUsage(usage, u);
    cost += c;
    failure = checkAnswer(t.chat, first.value, t.cascade.checks);
    attempts.push({ model: first.deployment.modelName, provider: first.deployment.providerId, cost: c, failure });
    if (!failure) answer = { result: first.value, deployment: first.deployment };
  } catch (e) {
    const err = asGatewayError(e);
    if (!err.retryable && err.status < 500 && err.code !== 'upstream_bad_request') throw err;
    failure = `reflex model failed (${err.code})`;
    attempts.push({ model: t.cascade.reflex[0]?.modelName ?? '?', provider: t.cascade.reflex[0]?.providerId ?? '?', cost: 0, failure });
  }
  let route = `${t.reason}; accepted the reflex answer`;
  if (!answer) {
    const second = await executeComplete({ deployments: t.cascade.thinking, reason: t.reason }, t.chat, t.signal);
    const u = t.settle(second.value.usage, textOf(second.value), reasoningOf(second.value));
    const c = t.price(second.deployment, u);
    usage = addUsage(usage, u);
    cost += c;
    attempts.push({ model: second.deployment.modelName, provider: second.deployment.providerId, cost: c, failure: null });
    answer = { result: second.value, deployment: second.deployment };
    route = `${t.reason}; escalated to ${second.deployment.modelName}: ${failure}`;
  }
  const { result, deployment } = answer;
  const headers = {
    ...t.headers,
    'x-switchyard-model': deployment.modelName,
    'x-switchyard-provider': deployment.providerId,
    'x-switchyard-route': route,
    'x-switchyard-cost-usd': String(Math.round(cost * 1e10) / 1e10),
    'x-switchyard-attempts': String(attempts.length),
  };
  const id = result.id ?? newCompletionId();
  const created = result.created ?? Math.floor(Date.now() / 1000);
  if (t.chat.stream) writeAsStream(t, result, id, created, usageOut(usage, cost), headers);
  else sendJson(t.res, 200, completionOut({ id, model: t.chat.model, created, result, usage: usageOut(usage, cost), exposeReasoning: t.expose }), headers);
  return { deployment, usage, cost, route, attempts };
}

function writeAsStream(t: CascadeTurn, result: ChatResult, id: string, created: number, usage: ReturnType<typeof usageOut>, headers: Record<string, string>): void {
  const { res } = t;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  const w = new ChunkWriter(id, t.chat.model, created);
  res.write(w.role());
  const c = result.choices[0];
  if (c) {
    if (t.expose && c.reasoning) res.write(w.text('reasoning', c.reasoning));
    if (c.content) res.write(w.text('content', c.content));
    (c.toolCalls ?? []).forEach((tc, index) => {
      res.write(w.delta({ tool_calls: [{ index, id: tc.id || newToolCallId(), type: 'function', function: { name: tc.function.name, arguments: tc.function.arguments } }] }));
    });
    res.write(w.finish(c.finish));
  }
  if (t.chat.includeUsage) res.write(w.usage(usage));
  res.end(ChunkWriter.DONE);
}
