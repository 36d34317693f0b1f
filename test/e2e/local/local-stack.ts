/**
 * Starts the real gateway on a `type: local` provider: a tiny generated GGUF model and a YAML config
 * side by side in a temp folder, the model referred to by a *relative* path (resolved against the
 * config's folder, not the process's cwd, which is elsewhere on purpose).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { writeTinyModel, type TinyModelSpec } from '../../helpers/gguf.js';
import { repoRoot } from '../../helpers/paths.js';
import { startCli, tempDir, type Proc } from '../../helpers/procs.js';

export interface LocalStack {
  gw: Proc;
  client: OpenAI;
  dir: string;
  dbPath: string;
  /** Stops the gateway (its request log is flushed on the way out). */
  stopGateway(): Promise<number | null>;
  /** Stops the gateway and removes the temp folder. */
  stop(): Promise<void>;
}

/** `extra` adds providers and models beside the local provider (e.g. a cloud model falling back to it). */
export function writeLocalConfig(dir: string, models: Array<Record<string, unknown>>, extra: { providers?: unknown[]; models?: unknown[] } = {}): string {
  const cfgPath = join(dir, 'switchyard.yaml');
  writeFileSync(cfgPath, stringify({ providers: [{ id: 'local', type: 'local', models }, ...(extra.providers ?? [])], models: extra.models ?? [] }));
  return cfgPath;
}

/** One model, served under `name`; threads: 1 keeps the suite light on a shared 2-core machine. */
export async function startLocalStack(name: string, spec: TinyModelSpec, opts: { sequences?: number; contextSize?: number; extra?: Parameters<typeof writeLocalConfig>[2] } = {}): Promise<LocalStack> {
  const dir = tempDir('switchyard-local-e2e-');
  writeTinyModel(dir, 'model.gguf', spec);
  const cfgPath = writeLocalConfig(dir, [{ name, path: 'model.gguf', contextSize: opts.contextSize ?? 512, threads: 1, sequences: opts.sequences ?? 2 }], opts.extra);
  const dbPath = join(dir, 'switchyard.db');
  let gw: Proc;
  try {
    gw = await startCli(['serve', '--config', cfgPath, '--port', '0', '--db', dbPath], { cwd: repoRoot });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    gw,
    dir,
    dbPath,
    stopGateway: () => gw.stop(),
    client: new OpenAI({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 }),
    stop: async () => { await gw.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
