/** A provider call as the gateway makes it, for one user message `hi` (tests that drive a provider directly). */
import type { ChatRequest } from '../../src/core/types.js';
import type { ProviderCall } from '../../src/providers/provider.js';
import { Cancel } from '../../src/core/cancel.js';

export function providerCall(model: string, stream: boolean): ProviderCall {
  const body = { model, messages: [{ role: 'user', content: 'hi' }], ...(stream ? { stream: true } : {}) };
  const request: ChatRequest = {
    body, model, messages: body.messages as ChatRequest['messages'], stream, includeUsage: stream,
    hasTools: false, hasImages: false, wantsJson: false,
  };
  return { request, upstreamModel: model, signal: new Cancel() };
}
