/**
 * API-shape smoke test over gpt-oss's compatibility cases (../shared/harmony-fixtures/gpt-oss-compat):
 * each prompt goes through the harmony-raw provider to a server that answers with the expected tool
 * call as gpt-oss writes it, streamed in small byte chunks. Every call must come back as a valid
 * OpenAI tool call with exactly the expected arguments (the guide's "0 invalid requests").
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../helpers/paths.js';
import { HarmonyRawProvider } from '../../../src/providers/harmony-raw.js';
import { harmonyCompletion } from '../../../src/sim/harmony-completions.js';
import { collectChoice } from '../../../src/harmony/reasoning-policy.js';
import type { ChatRequest, StreamPart } from '../../../src/core/types.js';
import { startCompletionsServer, streamCompletion } from './completions-server.js';

const casesFile = join(sharedDir, 'harmony-fixtures', 'gpt-oss-compat', 'cases.jsonl');
const available = hasShared && existsSync(casesFile);

interface CompatCase { tool_name: string; input: string; expected_arguments: string }

/** A parameters schema inferred from the expected arguments (the real schemas live in code we did not copy). */
function schemaFor(args: Record<string, unknown>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    properties[k] = { type: typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : 'string' };
  }
  return { type: 'object', properties, required: Object.keys(args) };
}

test('gpt-oss compatibility cases: every tool call round-trips through harmony-raw', { skip: available ? false : 'needs ../shared/harmony-fixtures/gpt-oss-compat/cases.jsonl' }, async () => {
  const cases = readFileSync(casesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CompatCase);
  const srv = await startCompletionsServer();
  after(() => srv.close());
  const provider = new HarmonyRawProvider({ id: 'compat', baseUrl: srv.base, dispatcher: srv.agent });
  let invalid = 0;
  for (const [i, c] of cases.entries()) {
    const expected = JSON.parse(c.expected_arguments) as Record<string, unknown>;
    srv.handle((_req, _body, res) => streamCompletion(res, harmonyCompletion({
      analysis: `User wants ${c.tool_name}. Call it.`, toolCall: { name: c.tool_name, args: c.expected_arguments },
    }), 3 + (i % 11)));
    const body = {
      model: 'gpt-oss-20b', stream: true,
      messages: [{ role: 'user', content: c.input }],
      tools: [{ type: 'function', function: { name: c.tool_name, description: `The ${c.tool_name} tool.`, parameters: schemaFor(expected) } }],
    };
    const request: ChatRequest = { body, model: 'gpt-oss-20b', messages: body.messages as ChatRequest['messages'], stream: true, includeUsage: true, hasTools: true, hasImages: false, wantsJson: false };
    const parts: StreamPart[] = [];
    for await (const p of await provider.stream({ request, upstreamModel: 'openai/gpt-oss-20b', signal: new AbortController().signal })) parts.push(p);
    const choice = collectChoice(parts);
    const call = choice.toolCalls?.[0];
    let ok = choice.finish.unified === 'tool_calls' && call?.function.name === c.tool_name && /^call_[0-9a-f]+$/.test(call.id);
    try {
      ok &&= JSON.stringify(JSON.parse(call?.function.arguments ?? '')) === JSON.stringify(expected);
    } catch {
      ok = false;
    }
    if (!ok) invalid += 1;
    const prompt = String(srv.seen[srv.seen.length - 1].prompt);
    assert.ok(prompt.includes(`type ${c.tool_name} = `), `tool ${c.tool_name} rendered`);
    assert.equal(choice.content, null, 'no analysis leaked into content');
  }
  console.log(`gpt-oss compat: ${cases.length - invalid}/${cases.length} tool calls valid`);
  assert.equal(invalid, 0);
});
