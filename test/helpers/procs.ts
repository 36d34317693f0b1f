/**
 * Starts the real `switchyard` processes (gateway, simulator) on loopback for end-to-end tests,
 * and stops them cleanly. Ports are picked by the OS (`--port 0`) and read from stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cliPath } from './paths.js';

export interface Proc {
  child: ChildProcess;
  url: string;       // http://127.0.0.1:PORT/v1
  origin: string;    // http://127.0.0.1:PORT
  output(): string;
  /** SIGTERM, then wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDir(prefix = 'switchyard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function startCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Proc> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`process did not start in time:\n${out}`)); }, opts.timeoutMs ?? 20_000);
    const onData = () => {
      const m = /listening on (http:\/\/[^\s/]+)(\/v1)?/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        child,
        origin: m[1],
        url: `${m[1]}/v1`,
        output: () => out,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`process exited with ${code} before listening:\n${out}`)); });
  });
}

export function startSim(args: string[] = [], env?: NodeJS.ProcessEnv): Promise<Proc> {
  return startCli(['sim', '--port', '0', ...args], { env });
}

/** Writes a YAML config into a fresh temp dir and starts the gateway on it with its own SQLite file. */
export async function startGateway(config: unknown, opts: { env?: NodeJS.ProcessEnv; extraArgs?: string[] } = {}): Promise<Proc & { dir: string; dbPath: string }> {
  const dir = tempDir();
  const cfgPath = join(dir, 'switchyard.yaml');
  writeFileSync(cfgPath, stringify(config));
  const dbPath = join(dir, 'switchyard.db');
  const p = await startCli(['serve', '--config', cfgPath, '--port', '0', '--db', dbPath, ...(opts.extraArgs ?? [])], { env: opts.env, cwd: dir });
  return Object.assign(p, { dir, dbPath });
}

/** The one-provider config most tests need: `models` on a simulator at `simUrl`. */
export function simConfig(simUrl: string, models: string[] = ['gpt-oss-20b'], price = { input: 0.05, output: 0.2 }): Record<string, unknown> {
  return {
    providers: [{ id: 'sim', type: 'openai-compatible', base_url: simUrl }],
    models: models.map((name) => ({ name, deployments: [{ provider: 'sim', model: name, price }] })),
  };
}
