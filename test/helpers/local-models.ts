/** Shared fixtures for local-provider tests and the benchmark: tiny planted models and request builders. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage, ChatRequest, StreamPart } from '../../src/core/types.js';
import { writeTinyModel, type Piece, type TinyModel } from './gguf.js';

export const HELLO_PIECES = ['Hello', ' from', ' a', ' tiny', ' llama', '!'];
export const LOOP_PIECES = ['la', 'Ω']; // 'Ω' is two bytes: exercises multi-byte detokenizing
/** What the tiny gpt-oss model writes after `<|start|>assistant`: reasoning, then the final answer. */
export const HARMONY_REASONING = 'Think first.';
export const HARMONY_ANSWER = 'Forty-two!';
export const HARMONY_PIECES = ['<|channel|>', 'analysis', '<|message|>', 'Think', ' first', '.', '<|end|>',
  '<|start|>', 'assistant', '<|channel|>', 'final', '<|message|>', 'Forty', '-', 'two', '!'];

/** A tiny gpt-oss model that calls a tool instead of answering. */
export const TOOL_ARGS = '{"city":"Paris"}';
export const TOOL_PIECES = ['<|channel|>', 'commentary', ' to=functions.get_weather', ' ', '<|constrain|>', 'json', '<|message|>', TOOL_ARGS];

/** '¡Olé 🎉' with é and 🎉 spelled byte by byte: characters split over tokens must reach clients whole. */
export const UTF8_PIECES: Piece[] = ['¡', 'O', 'l', ...[...Buffer.from('é')].map((byte) => ({ byte })), ' ', ...[...Buffer.from('🎉')].map((byte) => ({ byte }))];

export interface TinyModels { dir: string; hello: TinyModel; loop: TinyModel; oss: TinyModel; ossTool: TinyModel; utf8: TinyModel }

export function writeTinyModels(): TinyModels {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tiny-'));
  return {
    dir,
    // chat templates end the prompt with "assistant\n", harmony with "<|start|>assistant"
    hello: writeTinyModel(dir, 'hello.gguf', { arch: 'llama', script: { after: '\n', pieces: HELLO_PIECES } }),
    loop: writeTinyModel(dir, 'loop.gguf', { arch: 'llama', script: { after: '\n', pieces: LOOP_PIECES, loop: true } }),
    oss: writeTinyModel(dir, 'oss.gguf', { arch: 'gpt-oss', script: { after: 't', pieces: HARMONY_PIECES } }),
    utf8: writeTinyModel(dir, 'utf8.gguf', { arch: 'llama', script: { after: '\n', pieces: UTF8_PIECES } }),
    ossTool: writeTinyModel(dir, 'oss-tool.gguf', { arch: 'gpt-oss', script: { after: 't', pieces: TOOL_PIECES, end: '<|call|>' } }),
  };
}

export function chatRequest(messages: ChatMessage[], body: Record<string, unknown> = {}): ChatRequest {
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
  return {
    body: { model: 'x', messages, ...body },
    model: 'x',
    messages,
    stream: body.stream === true,
    includeUsage: true,
    maxTokens,
    hasTools: Array.isArray(body.tools),
    hasImages: false,
    wantsJson: false,
  };
}

export async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

export const textOf = (parts: StreamPart[]): string => parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
