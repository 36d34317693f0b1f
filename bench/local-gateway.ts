/**
 * The path a user actually has to an embedded model: the real `switchyard serve` process over HTTP, read
 * by a plain SSE client. Used by bench/local.ts beside the direct and in-process paths.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { cliPath } from '../test/helpers/paths.js';

export interface Sample { ttftMs: number; tokPerSec: number }

export interface Gateway {
  url: string;
  stop(): Promise<void>;
}

/** True when `taskset` can pin processes here (Linux with util-linux). */
export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/**
 * Pins every thread of this process (`-a`) to one CPU. Called before llama.cpp starts its threads, so they
 * inherit the mask too.
 */
export function pinSelf(cpu: number): void {
  const r = spawnSync('taskset', ['-a', '-pc', String(cpu), String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset failed: ${r.stderr}`);
}

export interface GatewayOptions {
  dir: string;
  modelPath: string;
  /** Name the model is served under. */
  name: string;
  settings: { contextSize: number; threads: number; sequences: number };
  /** Pin the gateway (and so its llama.cpp thread) to this CPU. */
  cpu?: number;
}

/** Starts `switchyard serve` on a `type: local` config with the model; resolves once it listens. */
export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const cfgPath = join(o.dir, `${o.name}.yaml`);
  writeFileSync(cfgPath, stringify({ providers: [{ id: 'local', type: 'local', models: [{ name: o.name, path: o.modelPath, ...o.settings }] }], models: [] }));
  const args = [cliPath, 'serve', '--config', cfgPath, '--port', '0', '--db', join(o.dir, `${o.name}.db`)];
  const child: ChildProcess = o.cpu === undefined
    ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('taskset', ['-c', String(o.cpu), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gateway did not start:\n${out}`)); }, 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+\/v1)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}:\n${out}`)); });
  });
  return {
    url,
    stop: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); await exited; },
  };
}

/** One keep-alive connection, as an SDK client would hold, so runs do not pay a TCP handshake. */
const agent = new Agent({ connections: 1 });

export async function closeClient(): Promise<void> { await agent.close(); }

/**
 * Streams one chat completion and times it like the other paths: TTFT from sending the request to the first
 * content or reasoning delta; tokens/s over the deltas after it, until the chunk carrying `finish_reason`.
 * Each delta is one token with the loop model, and the count is checked against `tokens`.
 */
export async function viaGateway(url: string, model: string, tokens: number): Promise<Sample> {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Sing.' }], max_tokens: tokens, temperature: 0, stream: true });
  const t0 = performance.now();
  const res = await request(`${url}/chat/completions`, {
    method: 'POST', dispatcher: agent, body,
    headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
  });
  if (res.statusCode !== 200) throw new Error(`gateway answered ${res.statusCode}: ${await res.body.text()}`);
  let first = 0;
  let end = 0;
  let n = 0;
  let buf = '';
  res.body.setEncoding('utf8');
  for await (const chunk of res.body as AsyncIterable<string>) {
    const now = performance.now();
    buf += chunk;
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const parsed: unknown = JSON.parse(event.slice(6));
      const choice = (parsed as { choices?: Array<{ delta?: Record<string, unknown>; finish_reason?: unknown }> }).choices?.[0];
      const d = choice?.delta;
      if (d && ((typeof d.content === 'string' && d.content) || (typeof d.reasoning === 'string' && d.reasoning) || (typeof d.reasoning_content === 'string' && d.reasoning_content))) {
        if (n++ === 0) first = now;
      }
      if (choice?.finish_reason) end = now;
    }
  }
  if (n !== tokens) throw new Error(`expected ${tokens} deltas through the gateway, got ${n}`);
  return { ttftMs: first - t0, tokPerSec: (n - 1) / ((end - first) / 1000) };
}
