/**
 * The gateway's internal vocabulary: what a provider receives and what it yields.
 * Providers never produce OpenAI wire format; only src/server turns these into JSON/SSE.
 */
import type { GatewayError } from './errors.js';

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface TextPart { type: 'text'; text: string }
export interface ImagePart { type: 'image_url'; image_url: { url: string; detail?: string } }
export type ContentPart = TextPart | ImagePart | { type: string; [k: string]: unknown };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Previous reasoning sent back by a client (`reasoning_content` is accepted and folded into this). */
  reasoning?: string | null;
  [k: string]: unknown;
}

/**
 * A validated chat request. `body` is the client's JSON (unknown fields kept, passed through to
 * upstreams); the typed fields are views on it that validation has checked.
 */
export interface ChatRequest {
  body: Record<string, unknown>;
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  hasTools: boolean;
  hasImages: boolean;
  wantsJson: boolean;
  /** The body's `switchyard` object (routing knobs), removed from `body` so upstreams never see it. */
  gateway?: Record<string, unknown>;
}

export type UnifiedFinish = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';
/** Finish reason normalized for clients, with the provider's raw value kept beside it. */
export interface FinishReason { unified: UnifiedFinish; raw: string | null }

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
  /** True when counted by the gateway because the upstream reported none. */
  estimated?: boolean;
  /** True when only `reasoningTokens` is the gateway's estimate (the upstream counted the rest but not reasoning). */
  reasoningEstimated?: boolean;
}

/** Typed stream parts (a discriminated union), the only thing a provider's stream yields. */
export type StreamPart =
  | { type: 'start'; id?: string; model?: string; created?: number }
  | { type: 'text'; text: string }
  /**
   * Plain content chunks of an OpenAI-compatible upstream, forwarded as text (see
   * providers/passthrough-chunk.ts): each is the upstream chunk from `"choices":[` on; `textChars`
   * counts their content as written in JSON.
   */
  | { type: 'raw-chunks'; chunks: string[]; textChars: number }
  | { type: 'reasoning'; text: string }
  | { type: 'tool-call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'error'; error: GatewayError };

export interface ChoiceResult {
  index: number;
  content: string | null;
  reasoning?: string;
  toolCalls?: ToolCall[];
  refusal?: string | null;
  finish: FinishReason;
}

export interface ChatResult {
  id?: string;
  model?: string;
  created?: number;
  choices: ChoiceResult[];
  usage?: Usage;
}
