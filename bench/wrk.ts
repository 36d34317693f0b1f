/**
 * Maximum throughput with `wrk` (a C load generator: it costs a fraction of the CPU a Node client
 * needs per request, so the core it shares with the simulator stays free for the simulator).
 * The POST body and headers go in a small Lua script.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './procs.js';
import type { ClosedLoopResult, Target } from './load.js';

export const hasWrk = (): boolean => hasCommand('wrk');

function luaString(s: string): string {
  // A long bracket string needs no escaping as long as its closing bracket does not occur in s.
  let eq = '=';
  while (s.includes(`]${eq}]`)) eq += '=';
  return `[${eq}[${s}]${eq}]`;
}

export interface WrkOptions { target: Target; body: string; connections: number; durationS: number; cpu: string | null }

export async function wrkClosedLoop(o: WrkOptions): Promise<ClosedLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-wrk-'));
  const script = join(dir, 'post.lua');
  const headers = { 'content-type': 'application/json', ...o.target.headers };
  writeFileSync(script, [
    'wrk.method = "POST"',
    `wrk.body = ${luaString(o.body)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`),
  ].join('\n') + '\n');
  const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', '10s', '-s', script, `${o.target.origin}${o.target.path}`];
  const [cmd, ...rest] = o.cpu !== null && hasCommand('taskset') ? ['taskset', '-c', o.cpu, 'wrk', ...args] : ['wrk', ...args];
  try {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(cmd, rest, { encoding: 'utf8', timeout: (o.durationS + 30) * 1000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
    const requests = num(/(\d+) requests in/);
    const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
    const errors = non2xx + sockErrors;
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/) * (requests > 0 ? (requests - non2xx) / requests : 1),
      requests: requests - non2xx,
      errors,
      firstError: errors ? out.split('\n').filter((l) => /Non-2xx|Socket errors/.test(l)).join('; ') : null,
      tool: `wrk -t1 -c${o.connections}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
