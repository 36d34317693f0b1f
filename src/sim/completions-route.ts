/**
 * The simulator's harmony mode: `POST /v1/completions` (OpenAI's legacy completions API, as vLLM and
 * llama.cpp serve it) answering with raw gpt-oss text — analysis, final answer or a tool call, and
 * the malformed shapes real engines emit (src/sim/harmony-completions.ts). A `harmony-raw`
 * deployment pointed at the simulator exercises the gateway's renderer and parser end to end.
 *
 * Streaming deliberately cuts the text badly: every `chunk_chars` UTF-16 units (so control tokens
 * like `<|channel|>` and surrogate pairs are split across `choices[0].text` deltas), and the SSE
 * bytes go out in `write_bytes`-sized writes (so UTF-8 characters are split across network reads).
 * Like vLLM, the simulator honours `stop` (keeping the stop string only with
 * `include_stop_str_in_output: true`) and `max_tokens` (roughly: four characters a token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerJson } from './respond.js';
import { headerOverrides, overrideBehavior, type SimBehavior } from './behavior.js';
import { harmonyCompletion, type HarmonyMalformation } from './harmony-completions.js';

export const HARMONY_VARIANTS: readonly HarmonyMalformation[] = ['missing-message', 'no-header-refusal', 'stray-return', 'glued-constrain', 'tool-on-analysis'];

export interface HarmonySimTool { name: string; args: unknown }

/** What the harmony mode writes; every field can be overridden per request (`harmony_*` keys). */
export interface HarmonySim {
  analysis?: string;
  /** Default: `You said: <last user message of the prompt>`. */
  final?: string;
  preamble?: string;
  tool?: HarmonySimTool;
  variant?: HarmonyMalformation;
  /** UTF-16 units per streamed text delta (default 3). */
  chunkChars: number;
  /** Bytes per network write of the SSE stream; 0 writes whole events (default 7). */
  writeBytes: number;
}

export const DEFAULT_HARMONY: HarmonySim = { chunkChars: 3, writeBytes: 7 };

/** Shared with the chat route: stats, the id counter and the command-line defaults. */
export interface CompletionsContext {
  base: SimBehavior;
  stats: { faults: number; lastBody: unknown; lastHeaders: Record<string, unknown> };
  nextSeq(): number;
  models: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/** `{"name":"get_weather","arguments":{...}}` (or `args`), as an object or JSON text; null/"none" clears. */
export function parseHarmonyTool(v: unknown): HarmonySimTool | null | undefined {
  if (v === null || v === 'none') return null;
  let o = v;
  if (typeof v === 'string') {
    try { o = JSON.parse(v); } catch { return undefined; }
  }
  if (!isObj(o) || typeof o.name !== 'string') return undefined;
  return { name: o.name, args: o.arguments ?? o.args ?? {} };
}

/** Applies `harmony_analysis`, `harmony_final`, `harmony_preamble`, `harmony_tool`, `harmony_variant`, `chunk_chars`, `write_bytes`. */
export function overrideHarmony(base: HarmonySim, o: Record<string, unknown> | undefined): HarmonySim {
  if (!o) return base;
  const h = { ...base };
  for (const k of ['analysis', 'final', 'preamble'] as const) {
    const v = o[`harmony_${k}`];
    if (typeof v === 'string') h[k] = v;
    else if (v === null) delete h[k];
  }
  const tool = parseHarmonyTool(o.harmony_tool);
  if (tool === null) delete h.tool;
  else if (tool) h.tool = tool;
  const variant = o.harmony_variant;
  if (variant === null || variant === 'none') delete h.variant;
  else if (typeof variant === 'string' && (HARMONY_VARIANTS as string[]).includes(variant)) h.variant = variant as HarmonyMalformation;
  const n = (k: string) => { const x = typeof o[k] === 'string' ? Number(o[k]) : o[k]; return typeof x === 'number' && Number.isFinite(x) ? Math.floor(x) : undefined; };
  h.chunkChars = Math.max(1, n('chunk_chars') ?? h.chunkChars);
  h.writeBytes = Math.max(0, n('write_bytes') ?? h.writeBytes);
  return h;
}

/** The last user message of a harmony prompt (the simulator's default answer echoes it). */
export function lastUserInPrompt(prompt: string): string {
  const re = /<\|start\|>user<\|message\|>([\s\S]*?)<\|end\|>/g;
  let last = '';
  for (let m = re.exec(prompt); m; m = re.exec(prompt)) last = m[1];
  return last;
}

/** Cuts at the earliest stop string, keeping it only when asked (vLLM's `include_stop_str_in_output`). */
export function applyStop(text: string, stop: unknown, keep: boolean): string {
  const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string' && s !== '') : [];
  let at = -1;
  let len = 0;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) { at = i; len = s.length; }
  }
  return at < 0 ? text : text.slice(0, keep ? at + len : at);
}

/**
 * Cuts a completion after `max` tokens, as an engine does at `max_tokens`. Token counts are approximate
 * (a control token is one, other text four characters a token) but never split a control token.
 */
export function truncateTokens(text: string, max: number): { text: string; truncated: boolean } {
  let used = 0;
  let out = '';
  for (const piece of text.split(/(<\|[a-z_]+\|>)/)) {
    if (!piece) continue;
    const isControl = piece.startsWith('<|') && piece.endsWith('|>');
    const cost = isControl ? 1 : Math.ceil(piece.length / 4);
    if (used + cost <= max) { out += piece; used += cost; continue; }
    if (!isControl) out += piece.slice(0, (max - used) * 4);
    return { text: out, truncated: true };
  }
  return { text, truncated: false };
}

function errorBody(status: number, message: string): string {
  return JSON.stringify({ error: { message, type: status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'server_error', code: null } });
}

export async function handleCompletions(req: IncomingMessage, res: ServerResponse, raw: string, ctx: CompletionsContext): Promise<void> {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isObj(parsed)) throw new Error('not an object');
    body = parsed;
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(errorBody(400, 'invalid JSON body'));
    return;
  }
  ctx.stats.lastBody = body;
  ctx.stats.lastHeaders = req.headers;
  const simO = isObj(body.sim) ? body.sim : undefined;
  const headerO = headerOverrides(req.headers);
  const b = overrideBehavior(overrideBehavior(ctx.base, simO), headerO);
  const h = overrideHarmony(overrideHarmony(ctx.base.harmony ?? DEFAULT_HARMONY, simO), headerO);

  const fault = b.fault !== 'none' && Math.random() < b.faultRate ? b.fault : 'none';
  if (fault !== 'none') ctx.stats.faults++;
  if (fault === 'hang') return;
  if (fault === 'reset_before') { req.socket.destroy(); return; }
  const httpFault = /^http_(\d{3})$/.exec(fault);
  await sleep(b.ttftMs);
  if (res.destroyed) return;
  if (httpFault) {
    const status = Number(httpFault[1]);
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': String(b.retryAfter) } : {}) });
    res.end(errorBody(status, `simulated ${status} failure`));
    return;
  }

  const prompt = typeof body.prompt === 'string' ? body.prompt : Array.isArray(body.prompt) ? body.prompt.join('') : '';
  const full = harmonyCompletion({
    analysis: h.analysis,
    final: h.final ?? `You said: ${lastUserInPrompt(prompt)}`,
    preamble: h.preamble,
    toolCall: h.tool,
    malformed: h.variant,
  });
  const stopped = applyStop(full, body.stop, body.include_stop_str_in_output === true);
  const maxTokens = typeof body.max_tokens === 'number' && body.max_tokens >= 0 ? Math.floor(body.max_tokens) : Infinity;
  const cut = truncateTokens(stopped, maxTokens);
  const text = cut.text;
  const seq = ctx.nextSeq();
  const id = `cmpl-sim${seq}`;
  const created = Math.floor(Date.now() / 1000);
  const model = typeof body.model === 'string' ? body.model : ctx.models[0];
  const usage = { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: Math.ceil(text.length / 4), total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  // Engines report `stop` both for a stop string and for an end-of-text token, `length` at max_tokens.
  const finish = cut.truncated ? 'length' : 'stop';

  if (body.stream !== true) {
    if (fault === 'reset') { req.socket.destroy(); return; }
    const out: Record<string, unknown> = { id, object: 'text_completion', created, model, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] };
    if (b.usage) out.usage = usage;
    answerJson(res, out, fault === 'malformed');
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const head = `{"id":"${id}","object":"text_completion","created":${created},"model":${JSON.stringify(model)}`;
  const event = (t: string, f: string | null) => `data: ${head},"choices":[{"index":0,"text":${JSON.stringify(t)},"logprobs":null,"finish_reason":${f ? `"${f}"` : 'null'}}]}\n\n`;
  let pending = Buffer.alloc(0);
  // Raw bytes leave in fixed-size writes, so a write can end inside a UTF-8 character.
  const write = (s: string, flush = false) => {
    if (h.writeBytes === 0) { if (s) res.write(s); return; }
    pending = Buffer.concat([pending, Buffer.from(s)]);
    let off = 0;
    for (; pending.length - off >= h.writeBytes; off += h.writeBytes) res.write(pending.subarray(off, off + h.writeBytes));
    if (flush && off < pending.length) { res.write(pending.subarray(off)); off = pending.length; }
    pending = pending.subarray(off);
  };
  let sent = 0;
  for (let i = 0; i < text.length; i += h.chunkChars) {
    if (res.destroyed) return;
    if (fault !== 'none' && sent >= b.faultAfter) {
      write('', true);
      if (fault === 'reset') { req.socket.destroy(); return; }
      if (fault === 'malformed') { res.end('data: {"id": "broken", "choices": [{"text": \n\n'); return; }
      if (fault === 'error_event') { res.end(`data: ${errorBody(500, 'simulated mid-stream failure')}\n\n`); return; }
    }
    write(event(text.slice(i, i + h.chunkChars), null));
    sent++;
    if (b.chunkIntervalMs > 0) { write('', true); await sleep(b.chunkIntervalMs); }
  }
  write(event('', finish));
  if (b.usage) write(`data: ${head},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`);
  write('data: [DONE]\n\n', true);
  res.end();
}
