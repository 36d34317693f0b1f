/**
 * Calls the planned deployments in order until one answers. Only retryable failures move on;
 * a stream counts as answered once its first part arrived without error, so failures before
 * the client saw a byte fail over transparently.
 */
import { GatewayError, asGatewayError } from '../core/errors.js';
import type { ChatRequest, ChatResult, StreamPart } from '../core/types.js';
import type { Deployment } from '../router/registry.js';
import type { RoutePlan } from '../router/plan.js';

export interface Executed<T> { value: T; deployment: Deployment; route: string }

async function firstThatAnswers<T>(plan: RoutePlan, signal: AbortSignal, call: (d: Deployment) => Promise<T>): Promise<Executed<T>> {
  let last: GatewayError | undefined;
  const tried: string[] = [];
  for (const d of plan.deployments) {
    if (signal.aborted) break;
    try {
      const value = await call(d);
      const route = tried.length ? `${plan.reason}; failover after ${tried.join(', ')}` : plan.reason;
      return { value, deployment: d, route };
    } catch (e) {
      last = asGatewayError(e);
      if (!last.retryable) throw last;
      tried.push(`${d.key} (${last.upstreamStatus ?? last.code})`);
    }
  }
  throw last ?? new GatewayError('upstream_unavailable', 'no deployment could be tried');
}

export function executeComplete(plan: RoutePlan, chat: ChatRequest, signal: AbortSignal): Promise<Executed<ChatResult>> {
  return firstThatAnswers(plan, signal, (d) =>
    d.provider.complete({ request: chat, upstreamModel: d.upstreamModel, signal, extraBody: d.extraBody }));
}

export async function executeStream(plan: RoutePlan, chat: ChatRequest, signal: AbortSignal): Promise<Executed<AsyncIterable<StreamPart>>> {
  const opened = await firstThatAnswers(plan, signal, async (d) => {
    const it = (await d.provider.stream({ request: chat, upstreamModel: d.upstreamModel, signal, extraBody: d.extraBody }))[Symbol.asyncIterator]();
    const first = await it.next();
    if (!first.done && first.value.type === 'error') {
      void it.return?.();
      throw first.value.error;
    }
    return { it, first };
  });
  const { it, first } = opened.value;
  let pending: IteratorResult<StreamPart> | null = first;
  const parts: AsyncIterable<StreamPart> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (pending) { const p = pending; pending = null; return Promise.resolve(p); }
        return it.next();
      },
      return: () => it.return?.() ?? Promise.resolve({ done: true as const, value: undefined }),
    }),
  };
  return { value: parts, deployment: opened.deployment, route: opened.route };
}
