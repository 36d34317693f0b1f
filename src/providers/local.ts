/**
 * The embedded llama.cpp provider: serves GGUF models named in the config inside the Switchyard process,
 * through node-llama-cpp. gpt-oss models speak harmony (rendered and parsed by src/harmony); other models
 * use the chat template in their file. Deployments of this provider are `locality: local`.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { GatewayError, asGatewayError } from '../core/errors.js';
import type { ChatRequest, ChatResult, StreamPart, Usage } from '../core/types.js';
import { collectChoice } from '../harmony/reasoning-policy.js';
import { generate, type SamplingOptions } from '../local/generate.js';
import { localProviderConfigSchema, type LocalModelConfig, type LocalProviderConfig } from '../local/local-config.js';
import { ModelSlot, type IdleTimers } from '../local/model-slot.js';
import type { PromptFormat } from '../local/prompt-format.js';
import { stopStrings } from '../local/stop-matcher.js';
import { TemplateFormat } from '../local/template-format.js';
import { HarmonyFormat } from '../local/harmony-format.js';
import type { Provider, ProviderCall } from './provider.js';
import type { CancelSignal } from '../core/cancel.js';

export interface LocalProviderOptions {
  /** Supplies the llama.cpp binding; default: the prebuilt CPU/GPU binary, never building from source. */
  llama?: () => Promise<Llama>;
  /** Folder that relative model paths are resolved against: the config file's folder. Default: the cwd. */
  baseDir?: string;
  /** Idle-unload timers (tests inject their own). */
  timers?: IdleTimers;
  /** Builds the harmony format for gpt-oss models; default: src/harmony's renderer and parser. */
  harmonyFormat?: (model: LlamaModel) => PromptFormat;
}

export interface LocalProviderStats {
  models: Array<{ name: string; loaded: boolean; loads: number; busy: number; queued: number }>;
  /** Tokens sampled since start, across models (a stopped generation stops adding to it). */
  generatedTokens: number;
}

let sharedLlama: Promise<Llama> | null = null;
/** One llama.cpp binding per process; loading it twice wastes memory and threads. */
export function defaultLlama(): Promise<Llama> {
  sharedLlama ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) => getLlama({ build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false }));
  return sharedLlama;
}

export class LocalProvider implements Provider {
  readonly id: string;
  readonly locality = 'local' as const;
  private readonly slots = new Map<string, ModelSlot>();
  private generatedTokens = 0;

  constructor(config: LocalProviderConfig, private readonly options: LocalProviderOptions = {}) {
    const parsed = localProviderConfigSchema.parse(config);
    this.id = parsed.id;
    for (const model of parsed.models) {
      // `switchyard pull` writes paths relative to the config file, so the folder can move as a whole
      const m = { ...model, path: resolve(options.baseDir ?? process.cwd(), model.path) };
      if (this.slots.has(m.name)) throw new Error(`local provider "${this.id}": model "${m.name}" is configured twice`);
      this.slots.set(m.name, new ModelSlot(m, {
        llama: options.llama ?? defaultLlama,
        format: (model, cfg) => this.formatFor(model, cfg),
        timers: options.timers,
      }));
    }
  }

  /**
   * Checks every model file at start-up, so a wrong path fails the boot with a message naming it instead of
   * failing the first request. Reads only the file header; weights load on first use.
   */
  async validate(): Promise<void> {
    for (const slot of this.slots.values()) await checkGguf(slot.config);
    if (this.slots.size === 0) return;
    try {
      await (this.options.llama ?? defaultLlama)();
    } catch (err) {
      throw new Error(`local provider "${this.id}": no usable llama.cpp binary for this machine (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  }

  /** Loads every model now (e.g. `--preload`), instead of on first request. */
  async preload(): Promise<void> {
    for (const slot of this.slots.values()) await (await slot.acquire(new AbortController().signal)).release();
  }

  async listModels(): Promise<string[]> { return [...this.slots.keys()]; }

  stats(): LocalProviderStats {
    return {
      models: [...this.slots.values()].map((s) => ({ name: s.config.name, loaded: s.isLoaded, loads: s.loads, busy: s.busy, queued: s.queued })),
      generatedTokens: this.generatedTokens,
    };
  }

  /** The configured model (for pricing and routing facts). */
  modelConfig(name: string): LocalModelConfig | undefined { return this.slots.get(name)?.config; }

  async stream(call: ProviderCall): Promise<AsyncIterable<StreamPart>> {
    const slot = this.slot(call.upstreamModel);
    if (call.request.hasImages) {
      throw new GatewayError('unsupported_content', `local model "${call.upstreamModel}" does not accept images`, { param: 'messages' });
    }
    const lease = await slot.acquire(call.signal);
    let prompt;
    try {
      prompt = lease.loaded.format.render(call.request);
      // Thrown before the first part, so routing can still pick a deployment with a larger context.
      if (prompt.length >= lease.sequence.contextSize) {
        throw new GatewayError('context_length_exceeded', `the prompt has ${prompt.length} tokens; local model "${call.upstreamModel}" holds ${lease.sequence.contextSize} per request`, { param: 'messages' });
      }
    } catch (err) {
      await lease.release();
      throw asGatewayError(err);
    }
    let started = false;
    // A stream dropped before its first read never runs its `finally`: free the sequence on abort instead.
    const onAbort = (): void => { if (!started) void lease.release(); };
    call.signal.addEventListener('abort', onAbort, { once: true });
    return generate({
      lease, prompt, sampling: sampling(call.request), signal: call.signal,
      onToken: () => { this.generatedTokens++; },
      start: { type: 'start', model: call.upstreamModel, created: Math.floor(Date.now() / 1000) },
      onFirstRead: () => {
        started = true;
        call.signal.removeEventListener('abort', onAbort);
      },
    });
  }

  async complete(call: ProviderCall): Promise<ChatResult> {
    const parts: StreamPart[] = [];
    let usage: Usage | undefined;
    let start: Extract<StreamPart, { type: 'start' }> | undefined;
    for await (const p of await this.stream(call)) {
      if (p.type === 'error') throw p.error;
      if (p.type === 'usage') usage = p.usage;
      else if (p.type === 'start') start = p;
      else parts.push(p);
    }
    if (call.signal.aborted) throw abortedError(call.signal);
    return { model: start?.model, created: start?.created, choices: [collectChoice(parts)], usage };
  }

  /** Unloads every model. */
  async close(): Promise<void> {
    for (const slot of this.slots.values()) await slot.unload(true);
  }

  /** Unloads one model now if idle (the idle timer does this on its own when `idleUnloadMs` is set). */
  async unload(name: string): Promise<boolean> { return this.slot(name).unload(); }

  private slot(name: string): ModelSlot {
    const slot = this.slots.get(name);
    if (!slot) throw new GatewayError('model_not_found', `local provider "${this.id}" has no model "${name}"`, { param: 'model' });
    return slot;
  }

  private formatFor(model: LlamaModel, cfg: LocalModelConfig): PromptFormat {
    const arch = model.fileInfo.metadata?.general?.architecture;
    const kind = cfg.chatFormat ?? (arch === 'gpt-oss' ? 'harmony' : 'template');
    if (kind === 'template') return new TemplateFormat(model);
    return this.options.harmonyFormat ? this.options.harmonyFormat(model) : new HarmonyFormat(model);
  }
}

function sampling(request: ChatRequest): SamplingOptions {
  const b = request.body;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    maxTokens: request.maxTokens,
    temperature: num(b.temperature) ?? 1,
    topP: num(b.top_p),
    seed: num(b.seed),
    stop: stopStrings(b.stop),
  };
}

function abortedError(signal: CancelSignal): GatewayError {
  const reason: unknown = signal.reason;
  return reason instanceof GatewayError ? reason : new GatewayError('upstream_timeout', 'the local generation was aborted', { cause: reason });
}

/** A readable file that starts with the GGUF magic, or an error naming the model and the path. */
async function checkGguf(cfg: LocalModelConfig): Promise<void> {
  const where = `local model "${cfg.name}": ${cfg.path}`;
  try {
    const s = await stat(cfg.path);
    if (!s.isFile()) throw new Error('not a file');
    const fh = await open(cfg.path, 'r');
    try {
      const head = Buffer.alloc(4);
      await fh.read(head, 0, 4, 0);
      if (head.toString('latin1') !== 'GGUF') throw new Error('not a GGUF file (wrong magic bytes)');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : err instanceof Error ? err.message : String(err);
    throw new Error(`${where}: ${why}`, { cause: err });
  }
}
