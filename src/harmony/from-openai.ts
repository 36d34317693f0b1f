/**
 * An OpenAI chat request → a harmony conversation, so the gateway can render prompts for engines
 * that only take raw text. Mapping (the one OpenAI's gpt-oss guides describe):
 *   system + developer messages → developer `# Instructions` (harmony's system message is reserved
 *                                  for model metadata: identity, dates, reasoning effort)
 *   tools (type function)        → developer `namespace functions`
 *   reasoning_effort             → `Reasoning: low|medium|high` (`minimal` → low)
 *   response_format json_schema  → developer `# Response Formats`
 *   assistant.reasoning          → an `analysis` message (dropped later for completed turns)
 *   assistant.content            → `final`, or a `commentary` preamble when tool calls follow
 *   assistant.tool_calls         → `commentary to=functions.X <|constrain|>json` messages
 *   tool (tool_call_id)          → `functions.X to=assistant` on commentary
 */
import { renderForCompletion } from './render.js';
import type { HarmonyMessage, ReasoningEffort, ResponseFormat, SystemContent, ToolDescription } from './types.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface FromOpenAIOptions {
  /** Extra system-message fields (identity, knowledge cutoff, current date, built-in tools). */
  system?: SystemContent;
}

/** Text of an OpenAI content value: a string, or the text parts of an array (other parts are skipped). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (isObj(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}

export function mapReasoningEffort(v: unknown): ReasoningEffort | undefined {
  if (v === 'minimal' || v === 'low') return 'low';
  if (v === 'medium' || v === 'high') return v;
  return undefined;
}

function functionTools(tools: unknown, toolChoice: unknown): ToolDescription[] {
  if (!Array.isArray(tools) || toolChoice === 'none') return [];
  const out: ToolDescription[] = [];
  for (const t of tools) {
    const fn = isObj(t) && isObj(t.function) ? t.function : undefined;
    const name = fn ? str(fn.name) : undefined;
    if (!fn || !name) continue;
    const tool: ToolDescription = { name, description: str(fn.description) ?? '' };
    if (fn.parameters !== undefined && fn.parameters !== null) tool.parameters = fn.parameters;
    out.push(tool);
  }
  return out;
}

function responseFormats(rf: unknown): { formats: ResponseFormat[]; instruction?: string } {
  if (!isObj(rf)) return { formats: [] };
  if (rf.type === 'json_schema' && isObj(rf.json_schema)) {
    const js = rf.json_schema;
    return { formats: [{ name: str(js.name) ?? 'response', description: str(js.description), schema: js.schema ?? {} }] };
  }
  if (rf.type === 'json_object') return { formats: [], instruction: 'Respond with a single JSON object.' };
  return { formats: [] };
}

/** Map an OpenAI chat completions body to harmony messages (system and developer first). */
export function harmonyFromOpenAI(body: Json, opts: FromOpenAIOptions = {}): HarmonyMessage[] {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
  const instructions: string[] = [];
  const convo: HarmonyMessage[] = [];
  const toolNames = new Map<string, string>();

  for (const m of messages) {
    const role = m.role;
    if (role === 'system' || role === 'developer') {
      const text = contentText(m.content);
      if (text) instructions.push(text);
    } else if (role === 'user') {
      convo.push({ role: 'user', content: contentText(m.content) });
    } else if (role === 'assistant') {
      const reasoning = str(m.reasoning) ?? str(m.reasoning_content);
      if (reasoning) convo.push({ role: 'assistant', channel: 'analysis', content: reasoning });
      const calls = Array.isArray(m.tool_calls) ? m.tool_calls.filter(isObj) : [];
      const text = contentText(m.content);
      if (text) convo.push({ role: 'assistant', channel: calls.length ? 'commentary' : 'final', content: text });
      for (const c of calls) {
        const fn = isObj(c.function) ? c.function : {};
        const name = str(fn.name) ?? 'unknown';
        if (typeof c.id === 'string') toolNames.set(c.id, name);
        convo.push({
          role: 'assistant', channel: 'commentary', recipient: `functions.${name}`,
          contentType: '<|constrain|>json', content: str(fn.arguments) ?? '{}',
        });
      }
    } else if (role === 'tool' || role === 'function') {
      const id = str(m.tool_call_id);
      const name = (id !== undefined ? toolNames.get(id) : undefined) ?? str(m.name) ?? 'unknown';
      convo.push({ role: 'tool', name: `functions.${name}`, recipient: 'assistant', channel: 'commentary', content: contentText(m.content) });
    }
  }

  const functions = functionTools(body.tools, body.tool_choice);
  const { formats, instruction } = responseFormats(body.response_format);
  if (instruction) instructions.push(instruction);
  const system: SystemContent = { ...opts.system };
  const effort = mapReasoningEffort(body.reasoning_effort);
  if (effort) system.reasoningEffort = effort;

  const head: HarmonyMessage[] = [{ role: 'system', content: '', system }];
  if (instructions.length || functions.length || formats.length) {
    head.push({
      role: 'developer', content: '',
      developer: {
        ...(instructions.length ? { instructions: instructions.join('\n\n') } : {}),
        ...(functions.length ? { functions } : {}),
        ...(formats.length ? { responseFormats: formats } : {}),
      },
    });
  }
  return [...head, ...convo];
}

/** The harmony prompt for an OpenAI chat request: the conversation plus `<|start|>assistant`. */
export function renderOpenAIPrompt(body: Json, opts: FromOpenAIOptions = {}): string {
  return renderForCompletion(harmonyFromOpenAI(body, opts));
}
