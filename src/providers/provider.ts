/**
 * The one provider contract. Every backend (OpenAI-compatible vendors, Ollama, embedded
 * llama.cpp, harmony-raw engines) implements it; routing and the server only see this.
 */
import type { ChatRequest, ChatResult, StreamPart } from '../core/types.js';
import type { CancelSignal } from '../core/cancel.js';

export interface ProviderCall {
  request: ChatRequest;
  /** The deployment's upstream model id (e.g. `openai/gpt-oss-20b`). */
  upstreamModel: string;
  /** Aborted when the client disconnects or a timeout fires. */
  signal: CancelSignal;
  /** Extra fields the deployment merges into the upstream body (config `extra_body`). */
  extraBody?: Record<string, unknown>;
}

export interface Provider {
  readonly id: string;
  /** Non-streaming call. Throws GatewayError on failure. */
  complete(call: ProviderCall): Promise<ChatResult>;
  /**
   * Streaming call. Connection-level failures before the first part throw (so the caller can
   * fail over); failures after that arrive in-band as an `error` part, followed by nothing.
   */
  stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>>;
  /** Model ids the upstream reports, for `switchyard models` and discovery. Optional. */
  listModels?(signal?: AbortSignal): Promise<string[]>;
  close?(): Promise<void>;
}

/**
 * A stream's iterator may also hand over its next result without a promise when one is already
 * waiting (parts that arrived in the same read): `poll()` returns it, or undefined when the
 * caller must wait with `next()`. The gateway's part loop then skips a promise and a turn of the
 * microtask queue per part.
 */
export interface PollableIterator<T> extends AsyncIterator<T> {
  poll?(): IteratorResult<T> | undefined;
}
