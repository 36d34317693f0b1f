/**
 * Starts the real processes for the preset tests: one simulator (every dialect behind a
 * `/<dialect>/` path prefix) and one gateway whose config points each preset at it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cliPath } from '../../helpers/paths.js';

export interface Running { url: string; proc: ChildProcess; stop(): Promise<void> }

export function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const proc = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${args[0]} exited (${code}) before listening:\n${out}\n${err}`));
    proc.once('exit', onExit);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[^\s/]+)(\/v1)?/.exec(out);
      if (!m) return;
      proc.off('exit', onExit);
      resolve({
        url: m[1],
        proc,
        stop: () => new Promise<void>((done) => {
          if (proc.exitCode !== null) return done();
          proc.once('exit', () => done());
          proc.kill('SIGTERM');
        }),
      });
    });
  });
}

export interface Stack { sim: Running; gateway: Running; dir: string; stop(): Promise<void> }

/** A simulator, and a gateway built from `config(simUrl)` with a throwaway request log. */
export async function startStack(config: (simUrl: string) => unknown, simArgs: string[] = []): Promise<Stack> {
  const sim = await start(['sim', '--port', '0', ...simArgs]);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-presets-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config(sim.url)));
  let gateway: Running;
  try {
    gateway = await start(['serve', '--config', file, '--port', '0', '--db', join(dir, 'log.db')], { SWITCHYARD_DRAIN_MS: '0' });
  } catch (e) {
    await sim.stop();
    throw e;
  }
  return {
    sim, gateway, dir,
    async stop() {
      await Promise.all([gateway.stop(), sim.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function simStats(simUrl: string): Promise<{ requests: number; lastBody: Record<string, unknown> }> {
  const r = await fetch(`${simUrl}/sim/stats`);
  return (await r.json()) as { requests: number; lastBody: Record<string, unknown> };
}
