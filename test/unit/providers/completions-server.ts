/** A tiny OpenAI-style `/v1/completions` server on 127.0.0.1 for provider tests; each test sets the handler. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';

export type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void;

export interface CompletionsServer {
  base: string;
  agent: Agent;
  /** Request bodies received, in order. */
  seen: Record<string, unknown>[];
  handle(h: Handler): void;
  close(): Promise<void>;
}

export async function startCompletionsServer(): Promise<CompletionsServer> {
  let handler: Handler = (_req, _body, res) => { res.writeHead(500); res.end('no handler'); };
  const seen: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      seen.push(body);
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const agent = new Agent({ keepAliveTimeout: 1000 });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    agent,
    seen,
    handle(h) { handler = h; },
    async close() {
      await agent.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Stream `text` as completion SSE events, cutting the raw bytes every `step` bytes (characters split across writes). */
export function streamCompletion(res: ServerResponse, text: string, step: number, finish = 'stop'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 4) pieces.push(text.slice(i, i + 4));
  const events = pieces.map((t) => `data: ${JSON.stringify({ id: 'cmpl-1', model: 'gpt-oss-20b', created: 1, choices: [{ index: 0, text: t, finish_reason: null }] })}\n\n`);
  events.push(`data: ${JSON.stringify({ id: 'cmpl-1', choices: [{ index: 0, text: '', finish_reason: finish }] })}\n\n`);
  events.push(`data: ${JSON.stringify({ id: 'cmpl-1', choices: [], usage: { prompt_tokens: 70, completion_tokens: 30 } })}\n\ndata: [DONE]\n\n`);
  const bytes = Buffer.from(events.join(''));
  for (let i = 0; i < bytes.length; i += step) res.write(bytes.subarray(i, i + step));
  res.end();
}
