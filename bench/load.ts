/**
 * Load generators for the gateway benchmark, in Node with undici:
 * - `openLoop`: a fixed request rate with sends spread evenly in time (not one burst per second,
 *   which measures the burst, not the gateway); latency from the moment each request is handed to
 *   the client, with `performance.now()` (sub-microsecond), so queueing anywhere counts.
 * - `closedLoop`: N connections each sending back to back, for maximum throughput when `wrk` is
 *   not installed.
 * - `burstStreams`: N streaming requests opened at once, to measure memory under many open streams.
 */
import { Pool } from 'undici';
import { CONTENT, RawPool } from './raw-http.js';

export interface Target {
  name: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export interface Sample {
  /** Request sent → body fully read, ms. */
  latency: number;
  /** Request sent → first non-empty content delta, ms (streams only). */
  ttft: number;
  /** When it was sent (performance.now()), to see whether slow requests cluster in time. */
  at: number;
}

export interface OpenLoopResult {
  samples: Sample[];
  errors: number;
  firstError: string | null;
  offered: number;
  /** Completions per second over the measured window. */
  achieved: number;
  /** p99 of how late the scheduler fired sends, ms (timer granularity is ~1 ms). */
  lagP99: number;
}


interface OneResult { ok: boolean; ttft: number; error?: string }

async function once(pool: Pool, t: Target, body: string, stream: boolean, t0: number): Promise<OneResult> {
  const res = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
  if (!stream) {
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.includes('"choices"')) return { ok: false, ttft: NaN, error: `${res.statusCode} ${text.slice(0, 160)}` };
    return { ok: true, ttft: NaN };
  }
  let ttft = NaN;
  let tail = '';
  for await (const chunk of res.body) {
    const s = tail + (chunk as Buffer).toString('latin1');
    if (Number.isNaN(ttft) && CONTENT.test(s)) ttft = performance.now() - t0;
    tail = s.slice(-24);
  }
  if (res.statusCode !== 200 || !tail.includes('[DONE]')) return { ok: false, ttft, error: `${res.statusCode} stream ended without [DONE]: ${tail}` };
  return { ok: true, ttft };
}

export interface OpenLoopOptions {
  target: Target;
  body: string;
  stream: boolean;
  rate: number;
  durationS: number;
  /** Seconds sent first at the same rate and not measured (connections, JIT). */
  warmupS: number;
}

export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(o.target.origin);
  const pool = new RawPool({ host: url.hostname, port: Number(url.port), path: o.target.path, headers: o.target.headers }, o.body);
  const warm = Math.round(o.rate * o.warmupS);
  const total = warm + Math.round(o.rate * o.durationS);
  const interval = 1000 / o.rate;
  // The generator's own garbage collection pauses delay the reading of every response in flight,
  // and it shares a core with the simulator: it keeps as little as possible alive while it runs
  // (no promise per request, results in typed arrays), so its collections stay short and rare.
  const measured = total - warm;
  const latency = new Float64Array(measured);
  const ttft = new Float64Array(measured);
  const sentAt = new Float64Array(measured);
  const lags = new Float64Array(measured);
  let n = 0;
  let errors = 0;
  let firstError: string | null = null;
  let measuredStart = 0;
  let lastEnd = 0;
  let outstanding = 0;
  let allSent = false;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  const settle = () => { if (--outstanding === 0 && allSent) finished(); };
  const fire = (i: number) => {
    const t0 = performance.now();
    if (i === warm) measuredStart = t0;
    outstanding++;
    pool.send(t0, o.stream, (r) => {
      const t1 = performance.now();
      if (i >= warm) {
        lastEnd = Math.max(lastEnd, t1);
        if (r.ok) { latency[n] = t1 - t0; ttft[n] = r.ttft; sentAt[n] = t0; n++; }
        else { errors++; firstError ??= r.error ?? 'error'; }
      }
      settle();
    });
  };
  const start = performance.now();
  let i = 0;
  let lagCount = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Fire every send whose time has come; each one's lateness is recorded.
      while (i < total && start + i * interval <= now) {
        if (i >= warm) lags[lagCount++] = now - (start + i * interval);
        fire(i++);
      }
      if (i >= total) { resolve(); return; }
      setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
    };
    tick();
  });
  allSent = true;
  if (outstanding > 0) await done;
  pool.close();
  const sortedLags = lags.subarray(0, lagCount).sort();
  const windowS = (lastEnd - measuredStart) / 1000;
  const samples: Sample[] = [];
  for (let k = 0; k < n; k++) samples.push({ latency: latency[k], ttft: ttft[k], at: sentAt[k] });
  return {
    samples, errors, firstError, offered: o.rate,
    achieved: windowS > 0 ? samples.length / windowS : 0,
    lagP99: sortedLags[Math.floor(sortedLags.length * 0.99)] ?? 0,
  };
}

export interface ClosedLoopOptions { target: Target; body: string; stream: boolean; connections: number; durationS: number; warmupS: number }
export interface ClosedLoopResult { rps: number; requests: number; errors: number; firstError: string | null; tool: string }

export async function closedLoop(o: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const pool = new Pool(o.target.origin, { connections: o.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const t0 = performance.now();
  const measureFrom = t0 + o.warmupS * 1000;
  const end = measureFrom + o.durationS * 1000;
  let requests = 0;
  let errors = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (performance.now() < end) {
      const s = performance.now();
      try {
        const r = await once(pool, o.target, o.body, o.stream, s);
        if (s < measureFrom) continue;
        if (r.ok) requests++; else { errors++; firstError ??= r.error ?? 'error'; }
      } catch (err) {
        if (s >= measureFrom) { errors++; firstError ??= String(err); }
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  const elapsed = (performance.now() - measureFrom) / 1000;
  await pool.close();
  return { rps: requests / elapsed, requests, errors, firstError, tool: `node/undici closed loop, ${o.connections} connections` };
}

export interface BurstOptions {
  target: Target;
  body: string;
  n: number;
  /** Called every `sampleMs` while the streams run (to sample the gateway's memory). */
  onSample: () => void;
  sampleMs: number;
}

export interface BurstResult { ok: number; errors: number; firstError: string | null; peakOpen: number; seconds: number }

/** Opens `n` streaming requests at once on `n` connections and waits for all of them. */
export async function burstStreams(o: BurstOptions): Promise<BurstResult> {
  const pool = new Pool(o.target.origin, { connections: o.n, pipelining: 1 });
  let open = 0;
  let peakOpen = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | null = null;
  const timer = setInterval(o.onSample, o.sampleMs);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.n }, async () => {
    let counted = false;
    try {
      const res = await pool.request({ path: o.target.path, method: 'POST', headers: o.target.headers, body: o.body, headersTimeout: 60_000, bodyTimeout: 60_000 });
      open++;
      counted = true;
      peakOpen = Math.max(peakOpen, open);
      let tail = '';
      for await (const chunk of res.body) tail = (tail + (chunk as Buffer).toString('latin1')).slice(-24);
      if (res.statusCode === 200 && tail.includes('[DONE]')) ok++;
      else { errors++; firstError ??= `${res.statusCode} ${tail}`; }
    } catch (err) {
      errors++;
      firstError ??= String(err);
    } finally {
      if (counted) open--;
    }
  }));
  clearInterval(timer);
  o.onSample();
  await pool.close();
  return { ok, errors, firstError, peakOpen, seconds: (performance.now() - t0) / 1000 };
}
