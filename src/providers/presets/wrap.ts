/** A provider with its two calls decorated and everything else (listing, closing) passed through. */
import type { ChatResult, StreamPart } from '../../core/types.js';
import type { Provider, ProviderCall } from '../provider.js';

export interface CallDecorators {
  complete: (call: ProviderCall) => Promise<ChatResult>;
  stream: (call: ProviderCall) => Promise<AsyncIterable<StreamPart>>;
}

export function wrapProvider(inner: Provider, calls: CallDecorators): Provider {
  const wrapped: Provider = { id: inner.id, complete: calls.complete, stream: calls.stream };
  if (inner.listModels) wrapped.listModels = (signal?: AbortSignal) => inner.listModels!(signal);
  if (inner.close) wrapped.close = () => inner.close!();
  return wrapped;
}
