/**
 * `reasoning_effort` only for deployments that reason. Several providers answer 400 when a
 * non-reasoning model (Qwen2.5, Kimi K2 instruct) gets an effort, and clients set it globally, so
 * it is removed for deployments whose capabilities say `reasoning: false` (the catalog says so for
 * every seed model). Unknown capabilities pass it on.
 */
import type { Provider, ProviderCall } from '../provider.js';
import { wrapProvider } from './wrap.js';

export function withoutEffortFor(inner: Provider, nonReasoning: ReadonlySet<string>): Provider {
  const strip = (call: ProviderCall): ProviderCall => {
    const r = call.request;
    if (!r.reasoningEffort && r.body.reasoning_effort === undefined) return call;
    if (!nonReasoning.has(`${inner.id}/${call.upstreamModel}`)) return call;
    const body = { ...r.body };
    delete body.reasoning_effort;
    return { ...call, request: { ...r, body, reasoningEffort: undefined } };
  };
  return wrapProvider(inner, {
    complete: (call) => inner.complete(strip(call)),
    stream: (call) => inner.stream(strip(call)),
  });
}
