/**
 * What a client of the gateway assembles from a chat stream (content, reasoning, tool calls, finish), and
 * the checks the gpt-oss tests share: the header that asks for reasoning, harmony control tokens.
 */
import type OpenAI from 'openai';

export const EXPOSED = { headers: { 'x-switchyard-reasoning': 'exposed' } };

export interface Collected {
  content: string;
  reasoning: string;
  calls: Array<{ id?: string; type?: string; name: string; args: string }>;
  finish: string | null;
  /** Every chunk as the client received it, serialized: to check nothing leaked anywhere. */
  raw: string;
}

/** Drains a chat stream into what a client would assemble. */
export async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<Collected> {
  const out: Collected = { content: '', reasoning: '', calls: [], finish: null, raw: '' };
  for await (const chunk of stream) {
    out.raw += `${JSON.stringify(chunk)}\n`;
    const c = chunk.choices[0];
    if (!c) continue;
    const delta = c.delta as OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning?: string };
    if (delta.content) out.content += delta.content;
    if (delta.reasoning) out.reasoning += delta.reasoning;
    for (const tc of delta.tool_calls ?? []) {
      const cur = out.calls[tc.index] ??= { name: '', args: '' };
      if (tc.id) cur.id = tc.id;
      if (tc.type) cur.type = tc.type;
      if (tc.function?.name) cur.name += tc.function.name;
      if (tc.function?.arguments) cur.args += tc.function.arguments;
    }
    if (c.finish_reason) out.finish = c.finish_reason;
  }
  return out;
}

/** `message.reasoning` (not in the SDK's types). */
export const reasoningOf = (m: OpenAI.ChatCompletionMessage): string | undefined => (m as OpenAI.ChatCompletionMessage & { reasoning?: string }).reasoning;

export const HARMONY_CONTROL = /<\|(start|end|message|channel|constrain|return|call)\|>/;
