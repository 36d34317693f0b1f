/**
 * The generation loop shared by streaming and non-streaming calls: evaluates the prompt on a leased
 * sequence, samples until a stop token, a stop string, `max_tokens`, the context end or an abort, and turns
 * tokens into typed stream parts as they come.
 */
import type { Token } from 'node-llama-cpp';
import type { FinishReason, StreamPart } from '../core/types.js';
import { asGatewayError } from '../core/errors.js';
import type { Lease } from './model-slot.js';
import { StopMatcher } from './stop-matcher.js';
import type { CancelSignal } from '../core/cancel.js';

export interface SamplingOptions {
  maxTokens?: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop: string[];
}

export interface GenerateInput {
  lease: Lease;
  prompt: Token[];
  sampling: SamplingOptions;
  signal: CancelSignal;
  /** Counts every sampled token (provider statistics). */
  onToken?: () => void;
  /** Yielded before anything else (the provider's `start` part). */
  start?: StreamPart;
  /** Runs at the first read, before any part. */
  onFirstRead?: () => void;
}

/**
 * The whole stream of one call, `start` first; a failure becomes an `error` part, and the lease is
 * released when the stream ends however it ends. One generator, not a wrapper around another: each
 * layer of async generator costs every token a few microtask hops.
 */
export async function* generate(input: GenerateInput): AsyncGenerator<StreamPart> {
  input.onFirstRead?.();
  try {
    if (input.start) yield input.start;
    const { lease, prompt, sampling, signal } = input;
    const { format } = lease.loaded;
    const contextSize = lease.sequence.contextSize;
    const room = contextSize - prompt.length;
    const limit = Math.min(sampling.maxTokens ?? room, room);
    const decoder = format.decoder();
    const stops = new StopMatcher([...sampling.stop, ...format.stopTexts]);
    let generated = 0;
    let finish: FinishReason = { unified: 'length', raw: 'max_tokens' };

    // Stop strings apply to the answer text only; reasoning and tool calls pass through.
    function* emit(parts: StreamPart[]): Generator<StreamPart, boolean> {
      for (const p of parts) {
        if (p.type !== 'text' || !stops.active) { yield p; continue; }
        const r = stops.push(p.text);
        if (r.text) yield { type: 'text', text: r.text };
        if (r.stopped) return true;
      }
      return false;
    }

    if (limit > 0 && !signal.aborted) {
      const tokens = lease.sequence.evaluate(prompt, {
        temperature: sampling.temperature,
        ...(sampling.topP !== undefined ? { topP: sampling.topP } : {}),
        ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
        yieldEogToken: true,
      });
      for await (const token of tokens) {
        if (signal.aborted) { finish = { unified: 'other', raw: 'abort' }; break; }
        generated++;
        input.onToken?.();
        const stopRaw = format.stopReason(token);
        if (stopRaw) {
          // Harmony's parser needs the closing `<|return|>`/`<|call|>` to finish the last message.
          if (format.feedsStopToken) yield* emit(decoder.push(token));
          finish = { unified: stopRaw === 'call' ? 'tool_calls' : 'stop', raw: stopRaw };
          break;
        }
        const parts = decoder.push(token);
        if (!stops.active) {
          for (const p of parts) yield p; // the hot path: no stop strings to watch
        } else if (yield* emit(parts)) {
          finish = { unified: 'stop', raw: 'stop_sequence' };
          break;
        }
        if (generated >= limit) {
          finish = { unified: 'length', raw: generated >= room ? 'context_full' : 'max_tokens' };
          break;
        }
      }
    }
    if (finish.raw !== 'stop_sequence') {
      const stopped = yield* emit(decoder.end());
      const held = stopped ? '' : stops.flush();
      if (held) yield { type: 'text', text: held };
    } else {
      decoder.end();
    }
    if (finish.raw === 'abort') return; // nobody is listening; the caller saw the abort
    const reason = finish.raw === 'stop_sequence' || !decoder.finish ? finish : decoder.finish(finish);
    yield { type: 'finish', reason };
    yield {
      type: 'usage',
      usage: {
        inputTokens: prompt.length,
        outputTokens: generated,
        ...(decoder.reasoningTokens ? { reasoningTokens: decoder.reasoningTokens } : {}),
      },
    };
  } catch (err) {
    yield { type: 'error', error: asGatewayError(err) };
  } finally {
    await input.lease.release();
  }
}
