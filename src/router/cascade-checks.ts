/**
 * The checks a cascade applies to the reflex model's answer before accepting it. Each returns
 * null when the answer passes, or why it failed (logged and sent in x-switchyard-route).
 */
import type { ChatRequest, ChatResult } from '../core/types.js';
import type { CascadePlan } from './virtual.js';
import { validateJson } from './json-check.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function toolsByName(chat: ChatRequest): Map<string, Json | undefined> {
  const out = new Map<string, Json | undefined>();
  const tools = chat.body.tools;
  if (Array.isArray(tools)) for (const t of tools) if (isObj(t) && isObj(t.function)) out.set(String(t.function.name), isObj(t.function.parameters) ? t.function.parameters : undefined);
  return out;
}

export function checkAnswer(chat: ChatRequest, result: ChatResult, checks: CascadePlan['checks']): string | null {
  const c = result.choices[0];
  if (!c) return 'no answer';
  const list = checks.checks ?? ['non_empty', 'json', 'tool_calls'];
  const content = c.content ?? '';
  const calls = c.toolCalls ?? [];
  if (list.includes('non_empty') && !content.trim() && !calls.length) return 'empty answer';
  if (c.finish.unified === 'length') return 'answer cut off at max tokens';
  if (list.includes('json') && chat.wantsJson && !calls.length) {
    let parsed: unknown;
    try { parsed = JSON.parse(content); } catch { return 'answer is not valid JSON'; }
    const rf = chat.body.response_format as Json;
    const schema = isObj(rf?.json_schema) && isObj(rf.json_schema.schema) ? rf.json_schema.schema : undefined;
    if (schema) {
      const err = validateJson(parsed, schema);
      if (err) return `JSON does not match the schema: ${err}`;
    }
  }
  if (list.includes('tool_calls') && chat.hasTools) {
    const tools = toolsByName(chat);
    const tc = chat.body.tool_choice;
    if ((tc === 'required' || isObj(tc)) && !calls.length) return 'a tool call was required but none was made';
    for (const call of calls) {
      if (!tools.has(call.function.name)) return `tool call to unknown tool '${call.function.name}'`;
      let args: unknown;
      try { args = JSON.parse(call.function.arguments || '{}'); } catch { return `tool call '${call.function.name}' has arguments that are not JSON`; }
      if (!isObj(args)) return `tool call '${call.function.name}' arguments are not an object`;
      const schema = tools.get(call.function.name);
      if (schema) {
        const err = validateJson(args, schema);
        if (err) return `tool call '${call.function.name}': ${err}`;
      }
    }
  }
  if (checks.min_chars !== undefined && !calls.length && content.length < checks.min_chars) return `answer shorter than ${checks.min_chars} characters`;
  if (checks.must_match !== undefined && !new RegExp(checks.must_match).test(content)) return 'answer does not match the verifier pattern';
  if (checks.must_not_match !== undefined && new RegExp(checks.must_not_match).test(content)) return 'answer matches the reject pattern';
  return null;
}
