/**
 * `switchyard pull <huggingface repo or URL> [--config FILE] [--name NAME] [--dir DIR] [--sha256 HEX]`
 *
 * Downloads a GGUF model (resuming a previous partial download), verifies its size and checksum when known,
 * and adds it to the config as a model of the `local` provider.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { addLocalModelToConfig } from '../local/config-file.js';
import { download } from '../local/download.js';
import { DEFAULT_HF_ENDPOINT, resolvePullTarget } from '../local/hf-resolve.js';
import { progressBar } from '../local/progress-bar.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface PullDeps {
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const USAGE = 'usage: switchyard pull <huggingface repo or URL> [--config FILE] [--name NAME] [--dir DIR] [--sha256 HEX]\n';

export async function run(args: string[], io: CliIo, deps: PullDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  let parsed;
  try {
    parsed = parseArgs(args);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.help) { io.stdout.write(USAGE); return 0; }
  const configPath = resolve(cwd, parsed.config ?? env.SWITCHYARD_CONFIG ?? 'switchyard.yaml');
  const dir = resolve(cwd, parsed.dir ?? join(dirname(configPath), 'models'));
  const doFetch = deps.fetch ?? fetch;
  try {
    const target = await resolvePullTarget(parsed.source, {
      endpoint: env.SWITCHYARD_HF_ENDPOINT ?? DEFAULT_HF_ENDPOINT,
      fetch: doFetch,
      token: env.HF_TOKEN,
    });
    if (parsed.sha256 && !/^[0-9a-f]{64}$/i.test(parsed.sha256)) throw new Error('--sha256 takes 64 hex digits');
    mkdirSync(dir, { recursive: true });
    const dest = join(dir, target.fileName);
    const bar = progressBar(io.stderr, target.fileName);
    const result = await download({
      url: target.url,
      dest,
      sha256: parsed.sha256 ?? target.sha256,
      size: target.size,
      fetch: doFetch,
      headers: env.HF_TOKEN && !/^https?:/i.test(parsed.source) ? { authorization: `Bearer ${env.HF_TOKEN}` } : {},
      onProgress: bar.update,
    }).finally(bar.done);
    const name = parsed.name ?? defaultName(target.fileName);
    // Paths inside the config's folder are written relative to it, so the folder can move as a whole.
    const rel = relative(dirname(configPath), dest);
    const file = !rel.startsWith('..') && !isAbsolute(rel) ? rel : dest;
    const change = addLocalModelToConfig(configPath, { name, file });
    const verified = parsed.sha256 ?? target.sha256 ? 'sha256 verified' : `sha256 ${result.sha256}`;
    io.stdout.write(`${result.resumedFrom > 0 ? 'resumed and ' : ''}downloaded ${dest} (${result.bytes} bytes, ${verified})\n`);
    io.stdout.write(`${change === 'added' ? 'added' : 'updated'} model "${name}" in ${configPath}\n`);
    return 0;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    io.stderr.write(`switchyard pull: ${msg}${cause}\n`);
    return 1;
  }
}

interface PullArgs { source: string; config?: string; name?: string; dir?: string; sha256?: string; help?: boolean }

function parseArgs(args: string[]): PullArgs {
  const out: Partial<PullArgs> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') return { source: '', help: true };
    const m = /^--(config|name|dir|sha256)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? args[++i];
      if (value === undefined) throw new Error(`--${m[1]} needs a value`);
      out[m[1] as 'config' | 'name' | 'dir' | 'sha256'] = value;
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else if (out.source === undefined) {
      out.source = a;
    } else {
      throw new Error(`unexpected argument ${a}`);
    }
  }
  if (!out.source) throw new Error('missing the repo or URL to pull');
  return out as PullArgs;
}

/** `gpt-oss-20b-Q4_K_M.gguf` → `gpt-oss-20b-q4_k_m`. */
export function defaultName(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '').toLowerCase();
}
