/**
 * Which models each local engine has right now. The catalog offers, say, `qwen2.5:7b` on every
 * configured Ollama, but only a model the engine lists may be routed to: a request for a model
 * that was never pulled would fail with a 404 instead of moving on to the next deployment.
 * Lists are refreshed in the background; before the first answer the deployment is tried.
 */
import { GatewayError } from '../../core/errors.js';
import type { Provider, ProviderCall } from '../provider.js';
import { wrapProvider } from './wrap.js';

/** Loose match: llama.cpp and LM Studio list file-ish names (`Qwen2.5-7B-Instruct-Q4_K_M.gguf`). */
const norm = (s: string): string => s.toLowerCase().replace(/\.gguf$/, '').replace(/[^a-z0-9]/g, '');

export function listed(ids: readonly string[], upstream: string): boolean {
  if (ids.includes(upstream)) return true;
  // Ollama lists untagged pulls as `name:latest`.
  if (!upstream.includes(':') && ids.includes(`${upstream}:latest`)) return true;
  const u = norm(upstream.split('/').pop() ?? upstream);
  return ids.some((id) => norm(id.split('/').pop() ?? id).startsWith(u));
}

export class Availability {
  private readonly lists = new Map<string, string[]>();
  /** Deployment keys (`provider/upstream`) that may only be used once listed. */
  private readonly gated = new Map<string, { providerId: string; upstream: string }>();
  private timer: NodeJS.Timeout | undefined;

  gate(providerId: string, upstream: string): void {
    this.gated.set(`${providerId}/${upstream}`, { providerId, upstream });
  }

  /** False only when the engine answered with a list that lacks the model. */
  usable(key: string): boolean {
    const g = this.gated.get(key);
    if (!g) return true;
    const ids = this.lists.get(g.providerId);
    return ids === undefined || listed(ids, g.upstream);
  }

  isGated(key: string): boolean {
    return this.gated.has(key);
  }

  /** The engine said it does not have the model: stop routing there until a refresh lists it. */
  markMissing(key: string): void {
    const g = this.gated.get(key);
    if (!g) return;
    const ids = (this.lists.get(g.providerId) ?? []).filter((id) => id !== g.upstream);
    this.lists.set(g.providerId, ids);
  }

  set(providerId: string, ids: string[]): void {
    this.lists.set(providerId, ids);
  }

  /** Probes every provider with a gated deployment once, each bounded by `timeoutMs`. */
  async refresh(providers: Map<string, Provider>, timeoutMs = 1500): Promise<void> {
    const ids = new Set([...this.gated.values()].map((g) => g.providerId));
    await Promise.all([...ids].map(async (id) => {
      const p = providers.get(id);
      if (!p?.listModels) return;
      try {
        this.lists.set(id, await p.listModels(AbortSignal.timeout(timeoutMs)));
      } catch {
        // An engine that does not answer has nothing usable; its deployments fail over anyway.
        this.lists.set(id, []);
      }
    }));
  }

  /** Refreshes now and then every `intervalMs`, without keeping the process alive. */
  start(providers: Map<string, Provider>, intervalMs = 30_000): void {
    if (this.timer || this.gated.size === 0) return;
    void this.refresh(providers);
    this.timer = setInterval(() => { void this.refresh(providers); }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** One per process: the registry is built once, and routing reads this on every request. */
export const availability = new Availability();

/**
 * For catalog-added local deployments, "model not found" (404) means "not pulled here", not "bad
 * request": it becomes retryable so the request moves on to the next deployment, and the
 * deployment is skipped until the engine lists the model.
 */
export function guardMissingModels(inner: Provider, book: Availability = availability): Provider {
  const check = (call: ProviderCall, err: unknown): never => {
    const key = `${inner.id}/${call.upstreamModel}`;
    if (err instanceof GatewayError && err.upstreamStatus === 404 && book.isGated(key)) {
      book.markMissing(key);
      throw new GatewayError('upstream_unavailable', `${err.message} (the catalog offers it here, but this engine does not have it)`, { upstreamStatus: 404, cause: err });
    }
    throw err;
  };
  return wrapProvider(inner, {
    complete: (call) => inner.complete(call).catch((e: unknown) => check(call, e)),
    stream: (call) => inner.stream(call).catch((e: unknown) => check(call, e)),
  });
}
