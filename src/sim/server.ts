/**
 * `switchyard sim`: an upstream that speaks OpenAI's chat API with controllable timing, content,
 * reasoning, tool calls, usage and failures. Tests and benchmarks use it as the upstream; users
 * can load-test their own setups against it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerJson } from './respond.js';
import type { AddressInfo } from 'node:net';
import { handleCompletions } from './completions-route.js';
import { DEFAULT_BEHAVIOR, headerOverrides, overrideBehavior, splitPieces, type SimBehavior } from './behavior.js';
import { answerOllama, dialectOf, isSimDialect, ollamaTags, usageFor } from './dialects.js';

export interface SimOptions {
  behavior?: Partial<SimBehavior>;
  models?: string[];
  /** Default answer shape (see dialects.ts); default `openai`. */
  dialect?: string;
}

export interface SimStats { requests: number; faults: number; inFlight: number; lastBody: unknown; lastHeaders: Record<string, unknown> }

export interface Simulator {
  server: Server;
  stats: SimStats;
  listen(port: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown };
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.map((p: { text?: unknown }) => (typeof p.text === 'string' ? p.text : '')).join(' ');
  }
  return '';
}

function promptTokens(messages: unknown): number {
  return Math.ceil(JSON.stringify(messages ?? '').length / 4);
}

function errorBody(status: number, message: string): string {
  return JSON.stringify({ error: { message, type: status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'server_error', code: null } });
}

export function createSimulator(opts: SimOptions = {}): Simulator {
  const base: SimBehavior = { ...DEFAULT_BEHAVIOR, ...opts.behavior };
  const stats: SimStats = { requests: 0, faults: 0, inFlight: 0, lastBody: null, lastHeaders: {} };
  const models = opts.models ?? ['sim-model'];
  let seq = 0;

  async function chat(req: IncomingMessage, res: ServerResponse, raw: string, pathDialect: string | undefined): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(errorBody(400, 'invalid JSON body'));
      return;
    }
    stats.lastBody = body;
    stats.lastHeaders = req.headers;
    const b = overrideBehavior(overrideBehavior(base, body.sim as Record<string, unknown> | undefined), headerOverrides(req.headers));
    const dialect = b.dialect && isSimDialect(b.dialect) ? b.dialect : pathDialect ?? opts.dialect ?? 'openai';
    const d = dialectOf(dialect);
    if (dialect === 'ollama' && opts.models && !opts.models.includes(String(body.model))) {
      // Ollama answers a model it has not pulled with a 404 (other dialects serve any name).
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `model "${String(body.model)}" not found, try pulling it first` }));
      return;
    }
    const faulty = b.fault !== 'none' && Math.random() < b.faultRate;
    const fault = faulty ? b.fault : 'none';
    if (faulty) stats.faults++;
    if (fault === 'hang') return; // never answer; the socket stays open until the client gives up
    if (fault === 'reset_before') { req.socket.destroy(); return; }
    const httpFault = /^http_(\d{3})$/.exec(fault);
    if (httpFault) {
      const status = Number(httpFault[1]);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (status === 429) headers['retry-after'] = String(b.retryAfter);
      await sleep(b.ttftMs);
      res.writeHead(status, headers);
      res.end(errorBody(status, `simulated ${status} failure`));
      return;
    }
    const id = `chatcmpl-sim${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : models[0];
    const text = b.text ?? `You said: ${lastUserText(body.messages)}`;
    const tools = b.toolCalls ?? [];
    const pieces = tools.length ? [] : splitPieces(text, b.chunks);
    const rPieces = b.reasoning ? splitPieces(b.reasoning, Math.max(1, Math.ceil(b.chunks / 2))) : [];
    const prompt = promptTokens(body.messages);
    const counts = { prompt, completion: pieces.length + rPieces.length + tools.length * 4, reasoning: rPieces.length, cached: Math.min(b.cachedTokens, prompt) };
    const usage = usageFor(dialect, counts);
    const finish = tools.length ? 'tool_calls' : 'stop';
    await sleep(b.ttftMs);
    if (res.destroyed) return;
    if (dialect === 'ollama') return answerOllama({ res, body, behavior: b, text, counts, model, sleep });
    const rField = d.reasoningField;

    if (body.stream !== true) {
      if (fault === 'reset') { req.socket.destroy(); return; }
      const message: Record<string, unknown> = { role: 'assistant', content: tools.length ? null : text };
      if (b.reasoning) message[rField] = b.reasoning;
      if (tools.length) message.tool_calls = tools.map((t, i) => ({ id: `call_sim${seq}_${i}`, type: 'function', function: t }));
      const out: Record<string, unknown> = { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }] };
      if (b.usage) out.usage = usage;
      answerJson(res, out, fault === 'malformed');
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
    const send = (delta: unknown, finishReason: string | null = null) =>
      res.write(`data: ${head}${JSON.stringify(delta)},"finish_reason":${finishReason ? `"${finishReason}"` : 'null'}}]}\n\n`);
    send({ role: 'assistant', content: '' });
    let sent = 0;
    const faultNow = async (): Promise<boolean> => {
      if (fault === 'none' || sent < b.faultAfter) return false;
      if (fault === 'reset') req.socket.destroy();
      else if (fault === 'malformed') { res.write('data: {"id": "broken", "choices": [{"delta": \n\n'); res.end(); }
      else if (fault === 'error_event') { res.write(`data: ${errorBody(500, 'simulated mid-stream failure')}\n\n`); res.end(); }
      else return false;
      return true;
    };
    for (const r of rPieces) {
      if (res.destroyed) return;
      send({ [rField]: r });
      await sleep(b.chunkIntervalMs);
    }
    for (const p of pieces) {
      if (await faultNow()) return;
      if (res.destroyed) return;
      send({ content: p });
      sent++;
      await sleep(b.chunkIntervalMs);
    }
    for (let i = 0; i < tools.length; i++) {
      const t = tools[i];
      const argPieces = splitPieces(t.arguments, 3);
      send({ tool_calls: [{ index: i, id: `call_sim${seq}_${i}`, type: 'function', function: { name: t.name, arguments: '' } }] });
      for (const a of argPieces) {
        if (await faultNow()) return;
        send({ tool_calls: [{ index: i, function: { arguments: a } }] });
        sent++;
        await sleep(b.chunkIntervalMs);
      }
    }
    if (await faultNow()) return;
    if (d.streamUsageIn === 'x_groq.usage') {
      // Groq: usage rides on the finishing chunk under x_groq, with no separate usage chunk.
      const extra = b.usage ? `,"x_groq":${JSON.stringify({ id: `req_sim${seq}`, usage })}` : '';
      res.write(`data: ${head}{},"finish_reason":"${finish}"}]${extra}}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    send({}, finish);
    if (b.usage) res.write(`data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  const server = createServer((req, res) => {
    let url = req.url ?? '/';
    // `/<dialect>/v1/...` answers in that provider's shape, so one simulator serves every preset.
    const seg = /^\/([a-z-]+)(\/.*)$/.exec(url);
    const pathDialect = seg && isSimDialect(seg[1]) ? seg[1] : undefined;
    if (pathDialect && seg) url = seg[2];
    if (req.method === 'GET' && url === '/api/tags') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(ollamaTags(models));
      return;
    }
    if (req.method === 'GET' && url.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'sim' })) }));
      return;
    }
    if (req.method === 'GET' && url === '/sim/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    if (req.method === 'POST' && (url.endsWith('/chat/completions') || url === '/api/chat')) {
      const dialect = url === '/api/chat' ? 'ollama' : pathDialect;
      stats.requests++;
      stats.inFlight++;
      res.on('close', () => { stats.inFlight--; });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { void chat(req, res, Buffer.concat(chunks).toString('utf8'), dialect).catch(() => res.destroy()); });
      return;
    }
    // Harmony mode: raw gpt-oss completions (completions-route.ts).
    if (req.method === 'POST' && url.endsWith('/completions')) {
      stats.requests++;
      stats.inFlight++;
      res.on('close', () => { stats.inFlight--; });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ctx = { base, stats, models, nextSeq: () => ++seq };
        void handleCompletions(req, res, Buffer.concat(chunks).toString('utf8'), ctx).catch(() => res.destroy());
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(errorBody(404, `no route ${req.method} ${url}`));
  });
  server.keepAliveTimeout = 65_000;

  return {
    server,
    stats,
    listen: (port, host = '127.0.0.1') => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server.address() as AddressInfo));
    }),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
