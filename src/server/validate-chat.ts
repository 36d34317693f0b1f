/**
 * Checks a chat-completions body by hand (no schema library on the hot path) and returns the
 * typed view. Every rejection names the parameter, like OpenAI's own 400s. Unknown fields are
 * kept for the upstream.
 */
import { GatewayError, invalidParam } from '../core/errors.js';
import type { ChatMessage, ChatRequest } from '../core/types.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const EFFORTS = new Set(['minimal', 'low', 'medium', 'high']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optNumber(body: Record<string, unknown>, name: string, min: number, max: number, integer = false): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParam(name, `'${name}' must be a number`);
  if (integer && !Number.isInteger(v)) throw invalidParam(name, `'${name}' must be an integer`);
  if (v < min || v > max) throw invalidParam(name, `'${name}' must be between ${min} and ${max}, got ${v}`);
  return v;
}

function checkMessage(m: unknown, i: number): { images: boolean } {
  const p = `messages[${i}]`;
  if (!isObj(m)) throw invalidParam(p, `'${p}' must be an object`);
  if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
    throw invalidParam(`${p}.role`, `'${p}.role' must be one of system, developer, user, assistant, tool`);
  }
  let images = false;
  const c = m.content;
  if (Array.isArray(c)) {
    for (let j = 0; j < c.length; j++) {
      const part = c[j];
      if (!isObj(part) || typeof part.type !== 'string') throw invalidParam(`${p}.content[${j}]`, `'${p}.content[${j}]' must be an object with a 'type'`);
      if (part.type === 'text' && typeof part.text !== 'string') throw invalidParam(`${p}.content[${j}].text`, `'${p}.content[${j}].text' must be a string`);
      if (part.type === 'image_url') {
        const iu = part.image_url;
        if (!(typeof iu === 'string' || (isObj(iu) && typeof iu.url === 'string'))) {
          throw invalidParam(`${p}.content[${j}].image_url`, `'${p}.content[${j}].image_url.url' must be a string`);
        }
        images = true;
      }
    }
  } else if (c !== undefined && c !== null && typeof c !== 'string') {
    throw invalidParam(`${p}.content`, `'${p}.content' must be a string or an array of content parts`);
  } else if ((c === undefined || c === null) && m.role !== 'assistant') {
    throw invalidParam(`${p}.content`, `'${p}.content' is required for role '${m.role}'`);
  }
  if (m.role === 'tool' && typeof m.tool_call_id !== 'string') {
    throw invalidParam(`${p}.tool_call_id`, `'${p}.tool_call_id' is required for role 'tool'`);
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw invalidParam(`${p}.tool_calls`, `'${p}.tool_calls' must be an array`);
    m.tool_calls.forEach((tc: unknown, j: number) => {
      if (!isObj(tc) || !isObj(tc.function) || typeof tc.function.name !== 'string') {
        throw invalidParam(`${p}.tool_calls[${j}]`, `'${p}.tool_calls[${j}]' must have function.name`);
      }
    });
  }
  // Clients send back earlier reasoning under either name; keep one spelling inside.
  if (m.reasoning_content !== undefined && m.reasoning === undefined) {
    m.reasoning = m.reasoning_content;
    delete m.reasoning_content;
  }
  return { images };
}

function checkTools(body: Record<string, unknown>): boolean {
  const tools = body.tools;
  if (tools === undefined || tools === null) return false;
  if (!Array.isArray(tools)) throw invalidParam('tools', `'tools' must be an array`);
  tools.forEach((t: unknown, i: number) => {
    if (!isObj(t) || t.type !== 'function' || !isObj(t.function) || typeof t.function.name !== 'string' || !t.function.name) {
      throw invalidParam(`tools[${i}]`, `'tools[${i}]' must be {type: 'function', function: {name, parameters?}}`);
    }
  });
  const tc = body.tool_choice;
  if (tc !== undefined && tc !== null) {
    const okString = tc === 'none' || tc === 'auto' || tc === 'required';
    const okObj = isObj(tc) && tc.type === 'function' && isObj(tc.function) && typeof tc.function.name === 'string';
    if (!okString && !okObj) throw invalidParam('tool_choice', `'tool_choice' must be 'none', 'auto', 'required' or {type:'function', function:{name}}`);
  }
  return tools.length > 0;
}

export function validateChat(raw: unknown): ChatRequest {
  if (!isObj(raw)) throw new GatewayError('invalid_parameter', 'the request body must be a JSON object');
  const body = raw;
  if (body.model === undefined) throw new GatewayError('missing_parameter', `'model' is required`, { param: 'model' });
  if (typeof body.model !== 'string' || !body.model) throw invalidParam('model', `'model' must be a non-empty string`);
  const messages = body.messages;
  if (messages === undefined) throw new GatewayError('missing_parameter', `'messages' is required`, { param: 'messages' });
  if (!Array.isArray(messages) || messages.length === 0) throw invalidParam('messages', `'messages' must be a non-empty array`);
  let hasImages = false;
  for (let i = 0; i < messages.length; i++) if (checkMessage(messages[i], i).images) hasImages = true;

  const stream = body.stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw invalidParam('stream', `'stream' must be a boolean`);
  const so = body.stream_options;
  if (so !== undefined && so !== null) {
    if (!isObj(so)) throw invalidParam('stream_options', `'stream_options' must be an object`);
    if (stream !== true) throw invalidParam('stream_options', `'stream_options' is only allowed when 'stream' is true`);
  }
  optNumber(body, 'temperature', 0, 2);
  optNumber(body, 'top_p', 0, 1);
  optNumber(body, 'presence_penalty', -2, 2);
  optNumber(body, 'frequency_penalty', -2, 2);
  optNumber(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  const n = optNumber(body, 'n', 1, 128, true);
  if (n !== undefined && n > 1 && stream === true) throw invalidParam('n', `'n' > 1 is not supported with 'stream': true`);
  const maxTokens = optNumber(body, 'max_tokens', 1, 1e9, true);
  const maxCompletion = optNumber(body, 'max_completion_tokens', 1, 1e9, true);
  const stop = body.stop;
  if (stop !== undefined && stop !== null) {
    const ok = typeof stop === 'string' || (Array.isArray(stop) && stop.length <= 4 && stop.every((s) => typeof s === 'string'));
    if (!ok) throw invalidParam('stop', `'stop' must be a string or an array of at most 4 strings`);
  }
  if (body.user !== undefined && typeof body.user !== 'string') throw invalidParam('user', `'user' must be a string`);
  const rf = body.response_format;
  let wantsJson = false;
  if (rf !== undefined && rf !== null) {
    if (!isObj(rf) || (rf.type !== 'text' && rf.type !== 'json_object' && rf.type !== 'json_schema')) {
      throw invalidParam('response_format', `'response_format.type' must be 'text', 'json_object' or 'json_schema'`);
    }
    if (rf.type === 'json_schema' && !isObj(rf.json_schema)) throw invalidParam('response_format.json_schema', `'response_format.json_schema' must be an object`);
    wantsJson = rf.type !== 'text';
  }
  const effort = body.reasoning_effort;
  if (effort !== undefined && effort !== null && (typeof effort !== 'string' || !EFFORTS.has(effort))) {
    throw invalidParam('reasoning_effort', `'reasoning_effort' must be one of minimal, low, medium, high`);
  }
  const hasTools = checkTools(body);
  const gw = body.switchyard;
  if (gw !== undefined && !isObj(gw)) throw invalidParam('switchyard', `'switchyard' must be an object`);
  if (gw !== undefined) delete body.switchyard;

  return {
    body,
    model: body.model,
    messages: messages as ChatMessage[],
    stream: stream === true,
    includeUsage: isObj(so) && so.include_usage === true,
    maxTokens: maxCompletion ?? maxTokens,
    reasoningEffort: effort as ChatRequest['reasoningEffort'],
    hasTools,
    hasImages,
    wantsJson,
    gateway: gw as Record<string, unknown> | undefined,
  };
}
