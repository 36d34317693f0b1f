/**
 * One configured GGUF model: loaded on first use, shared by concurrent requests through a fixed number of
 * context sequences (llama.cpp batches them together), queued when all are busy, and unloaded after an
 * idle period so a rarely used model gives its memory back.
 */
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { GatewayError } from '../core/errors.js';
import type { LocalModelConfig } from './local-config.js';
import type { PromptFormat } from './prompt-format.js';
import type { CancelSignal } from '../core/cancel.js';

const DEFAULT_SEQUENCES = 2;
const DEFAULT_MAX_CONTEXT = 8192;

export interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  format: PromptFormat;
}

export interface Lease {
  loaded: Loaded;
  sequence: LlamaContextSequence;
  release(): Promise<void>;
}

/** Timers for idle unload; injectable so tests fire them instead of waiting. */
export interface IdleTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: IdleTimers = {
  set: (fn, ms) => { const t = setTimeout(fn, ms); t.unref(); return t; },
  clear: (handle) => { clearTimeout(handle as NodeJS.Timeout); },
};

export interface SlotDeps {
  llama: () => Promise<Llama>;
  /** Builds the prompt format once the model is loaded (harmony or the file's template). */
  format: (model: LlamaModel, config: LocalModelConfig) => PromptFormat;
  timers?: IdleTimers;
}

interface Waiter { resolve: (s: LlamaContextSequence) => void; reject: (e: unknown) => void; signal: CancelSignal; onAbort: () => void }

export class ModelSlot {
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  private free: LlamaContextSequence[] = [];
  private waiters: Waiter[] = [];
  private active = 0;
  private idleTimer: unknown = null;
  /** How many times the model was loaded (for tests and `stats`). */
  loads = 0;

  constructor(readonly config: LocalModelConfig, private readonly deps: SlotDeps) {}

  get isLoaded(): boolean { return this.loaded !== null; }
  get busy(): number { return this.active; }
  get queued(): number { return this.waiters.length; }

  /** A context sequence for one request; waits (abortably) when every sequence is in use. */
  async acquire(signal: CancelSignal): Promise<Lease> {
    this.cancelIdle();
    this.active++;
    try {
      const loaded = await this.load();
      const sequence = await this.takeSequence(loaded, signal);
      let released = false;
      return {
        loaded,
        sequence,
        release: async () => {
          if (released) return;
          released = true;
          await this.giveBack(loaded, sequence);
        },
      };
    } catch (err) {
      this.active--;
      this.scheduleIdle();
      throw err;
    }
  }

  private load(): Promise<Loaded> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.loading ??= this.doLoad().then(
      (l) => { this.loaded = l; this.loading = null; return l; },
      (err: unknown) => { this.loading = null; throw err; },
    );
    return this.loading;
  }

  private async doLoad(): Promise<Loaded> {
    const c = this.config;
    let model: LlamaModel;
    try {
      const llama = await this.deps.llama();
      model = await llama.loadModel({ modelPath: c.path, ...(c.gpuLayers !== undefined ? { gpuLayers: c.gpuLayers } : {}) });
    } catch (err) {
      throw new GatewayError('upstream_unavailable', `local model "${c.name}" failed to load from ${c.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    try {
      const context = await model.createContext({
        contextSize: c.contextSize ?? Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT),
        sequences: c.sequences ?? DEFAULT_SEQUENCES,
        ...(c.threads !== undefined ? { threads: c.threads } : {}),
      });
      this.loads++;
      return { model, context, format: this.deps.format(model, c) };
    } catch (err) {
      await model.dispose();
      throw new GatewayError('upstream_unavailable', `local model "${c.name}": could not create a context: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private takeSequence(loaded: Loaded, signal: CancelSignal): Promise<LlamaContextSequence> {
    const reuse = this.free.pop();
    if (reuse) return Promise.resolve(reuse);
    if (loaded.context.sequencesLeft > 0) return Promise.resolve(loaded.context.getSequence());
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve, reject, signal,
        onAbort: () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(abortError(signal));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private async giveBack(loaded: Loaded, sequence: LlamaContextSequence): Promise<void> {
    // A fresh history per request: prompts are re-evaluated, but no request can see another's tokens.
    await sequence.clearHistory();
    this.active--;
    const next = this.waiters.shift();
    if (next) {
      next.signal.removeEventListener('abort', next.onAbort);
      next.resolve(sequence);
    } else if (this.loaded === loaded) {
      this.free.push(sequence);
    }
    this.scheduleIdle();
  }

  private scheduleIdle(): void {
    const ms = this.config.idleUnloadMs;
    if (ms === undefined || this.active > 0 || !this.loaded) return;
    this.cancelIdle();
    this.idleTimer = (this.deps.timers ?? realTimers).set(() => { this.idleTimer = null; void this.unload(); }, ms);
  }

  private cancelIdle(): void {
    if (this.idleTimer !== null) (this.deps.timers ?? realTimers).clear(this.idleTimer);
    this.idleTimer = null;
  }

  /** Frees the model's memory now, unless a request is using it. Resolves true if it was unloaded. */
  async unload(force = false): Promise<boolean> {
    this.cancelIdle();
    if (!this.loaded || (this.active > 0 && !force)) return false;
    const { model, context } = this.loaded;
    this.loaded = null;
    this.free = [];
    await context.dispose();
    await model.dispose();
    return true;
  }
}

function abortError(signal: CancelSignal): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  return new GatewayError('upstream_timeout', 'the request was aborted while waiting for a free local model slot', { cause: reason });
}
