/**
 * The fault-injection setup shared by test/e2e/reliability and bench/reliability.ts: one
 * simulator process that injects faults and one that stays healthy, and a load driver that
 * talks to the gateway through the official `openai` client with its own retries off, so
 * what is measured is the gateway's reliability, not the client's.
 *
 * The faulty simulator is several deployments of one model, each with its own fault mix set
 * through `extra_body.sim` (the simulator reads per-request overrides from the body): 5xx,
 * 429 + Retry-After, hangs and resets after the role header of a stream.
 */
import OpenAI from 'openai';

export const CHAOS_MODEL = 'chaos-model';

/** Fault mixes of the faulty deployments; `fault_rate` < 1 so each one is flaky, not dead. */
export const FAULT_MIXES: ReadonlyArray<Record<string, unknown>> = [
  { fault: 'http_500', fault_rate: 0.5 },
  { fault: 'http_503', fault_rate: 0.5 },
  { fault: 'http_429', fault_rate: 0.5, retry_after: 1 },
  { fault: 'hang', fault_rate: 0.3 },
  { fault: 'reset', fault_rate: 0.5, fault_after: 0 }, // stream: after the role header, before content
  { fault: 'reset_before', fault_rate: 0.3 },
];

export interface ChaosConfigOptions {
  faultyUrl: string;
  healthyUrl: string;
  /** Leave the faulty deployments out: the fault-free baseline. */
  faultFree?: boolean;
  balance?: 'ordered' | 'weighted' | 'least_in_flight' | 'latency';
}

export function chaosConfig(o: ChaosConfigOptions): Record<string, unknown> {
  const faulty = o.faultFree ? [] : FAULT_MIXES.map((sim, i) => ({ provider: 'faulty', model: `flaky-${i}-${String(sim.fault)}`, extra_body: { sim } }));
  return {
    reliability: {
      // Non-streaming answers arrive whole, so only total_ms can catch a hung one: keep it short here.
      timeouts: { ttft_ms: 1_000, idle_ms: 2_000, total_ms: 3_000 },
      retry: { max_retries: 2, base_ms: 50, max_backoff_ms: 500 },
      circuit_breaker: { consecutive_failures: 5, error_rate: 0.6, window: 20, min_requests: 10, open_ms: 1_000 },
    },
    providers: [
      { id: 'faulty', type: 'openai-compatible', base_url: o.faultyUrl },
      { id: 'healthy', type: 'openai-compatible', base_url: o.healthyUrl },
    ],
    models: [{
      name: CHAOS_MODEL,
      balance: o.balance ?? 'weighted',
      deployments: [...faulty, { provider: 'healthy', model: 'steady' }],
    }],
  };
}

export interface LoadResult {
  requests: number;
  ok: number;
  failures: string[];
  latenciesMs: number[];
}

/** `n` requests, half streaming, `concurrency` at a time; success = the full expected answer. */
export async function runLoad(baseURL: string, n: number, concurrency: number): Promise<LoadResult> {
  const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
  const result: LoadResult = { requests: n, ok: 0, failures: [], latenciesMs: [] };
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const prompt = `request ${i}`;
    const t0 = performance.now();
    try {
      let text = '';
      let finish: string | null = null;
      if (i % 2 === 0) {
        const stream = await client.chat.completions.create({ model: CHAOS_MODEL, messages: [{ role: 'user', content: prompt }], stream: true });
        for await (const c of stream) {
          text += c.choices[0]?.delta?.content ?? '';
          finish = c.choices[0]?.finish_reason ?? finish;
        }
      } else {
        const r = await client.chat.completions.create({ model: CHAOS_MODEL, messages: [{ role: 'user', content: prompt }] });
        text = r.choices[0]?.message?.content ?? '';
        finish = r.choices[0]?.finish_reason ?? null;
      }
      if (text === `You said: ${prompt}` && finish === 'stop') result.ok++;
      else result.failures.push(`#${i}: unexpected answer ${JSON.stringify(text)} (${finish})`);
    } catch (e) {
      result.failures.push(`#${i}: ${(e as Error).message}`);
    }
    result.latenciesMs.push(performance.now() - t0);
  };
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
  return result;
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function simStats(origin: string): Promise<{ requests: number; faults: number; inFlight: number }> {
  const r = await fetch(`${origin}/sim/stats`);
  return await r.json() as { requests: number; faults: number; inFlight: number };
}
