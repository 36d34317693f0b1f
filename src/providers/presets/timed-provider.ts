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
  // One key string per upstream model, kept: a string built per call is hashed anew by every Map
  // lookup, a kept one carries its hash. (Bounded: a provider that passes clients' model names
  // through could otherwise grow it without end.)
  const keys = new Map<string, string>();
  const key = (c: ProviderCall): string => {
    let k = keys.get(c.upstreamModel);
    if (k === undefined) {
      if (keys.size >= 1024) keys.clear();
      k = `${inner.id}/${c.upstreamModel}`;
      keys.set(c.upstreamModel, k);
    }
    return k;
  };
  // Not async functions: one derived promise per call rather than an async frame and its await.
  return wrapProvider(inner, {
    complete(call: ProviderCall): Promise<ChatResult> {
      const t0 = now();
      return started(() => inner.complete(call)).then((r) => { book.record(key(call), now() - t0); return r; });
    },
    stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
      const t0 = now();
      return started(() => inner.stream(call)).then((r) => { book.record(key(call), now() - t0); return r; });
    },
  });
}

/** A provider that throws instead of rejecting still fails the call the way an async function would. */
function started<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (err) {
    return Promise.reject(err);
  }
}
