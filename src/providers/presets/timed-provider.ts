/**
 * Wraps a provider to record each deployment's time to first byte (for streams, until the
 * upstream answered with headers; for complete calls, the whole call) into the latency book
 * that `provider: {sort: 'latency'}` reads. Failed calls record nothing.
 */
import type { ChatResult, StreamPart } from '../../core/types.js';
import type { LatencyBook } from '../../router/latency.js';
import type { Provider, ProviderCall } from '../provider.js';
import { wrapProvider } from './wrap.js';

export function timed(inner: Provider, book: LatencyBook, now: () => number = performance.now.bind(performance)): Provider {
  const key = (c: ProviderCall) => `${inner.id}/${c.upstreamModel}`;
  return wrapProvider(inner, {
    async complete(call: ProviderCall): Promise<ChatResult> {
      const t0 = now();
      const r = await inner.complete(call);
      book.record(key(call), now() - t0);
      return r;
    },
    async stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
      const t0 = now();
      const r = await inner.stream(call);
      book.record(key(call), now() - t0);
      return r;
    },
  });
}
