/**
 * Reliability under injected faults (issue 6). Runs the same load (half streaming, through
 * the `openai` client with its retries off) against a gateway whose model has only a healthy
 * deployment, then against one where six flaky deployments (5xx, 429 + Retry-After, hangs,
 * resets) sit beside the healthy one; then measures how fast a dead deployment's circuit opens.
 * Prints markdown tables (copied into docs/reliability.md).
 *
 *   npx tsc -p . && node dist/bench/reliability.js [requests=400] [concurrency=4]
 */
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { startGateway, startSim, type Proc } from '../test/helpers/procs.js';
import { chaosConfig, percentile, runLoad, simStats, type LoadResult } from '../test/helpers/chaos.js';

const N = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 4);

interface Row { name: string; load: LoadResult; records: number; faults: number }

async function loadRun(name: string, faultFree: boolean, faulty: Proc, healthy: Proc, balance?: 'weighted' | 'latency'): Promise<Row> {
  const before = faultFree ? 0 : (await simStats(faulty.origin)).faults;
  const gw = await startGateway(chaosConfig({ faultyUrl: faulty.url, healthyUrl: healthy.url, faultFree, balance }));
  const load = await runLoad(gw.url, N, CONCURRENCY);
  await gw.stop(); // graceful: drains and flushes the usage log
  const db = new Database(gw.dbPath, { readonly: true });
  const records = (db.prepare('SELECT count(*) AS n FROM request_log').get() as { n: number }).n;
  db.close();
  const faults = faultFree ? 0 : (await simStats(faulty.origin)).faults - before;
  return { name, load, records, faults };
}

/** Load on a model with a dead and a healthy deployment; when did the dead one stop getting requests? */
async function breakerRun(deadArgs: string[], label: string): Promise<string> {
  const [dead, healthy] = await Promise.all([startSim(deadArgs), startSim()]);
  const gw = await startGateway({
    reliability: { timeouts: { ttft_ms: 1_000, total_ms: 1_000 } },
    providers: [
      { id: 'dead', type: 'openai-compatible', base_url: dead.url },
      { id: 'healthy', type: 'openai-compatible', base_url: healthy.url },
    ],
    models: [{ name: 'm', balance: 'weighted', deployments: [{ provider: 'dead', model: 'm' }, { provider: 'healthy', model: 'm' }] }],
  });
  const client = new OpenAI({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
  const t0 = performance.now();
  let lastSeen = 0;
  let lastCount = 0;
  let running = true;
  const poll = (async () => {
    while (running) {
      const s = await simStats(dead.origin);
      if (s.requests !== lastCount) { lastCount = s.requests; lastSeen = performance.now() - t0; }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  let ok = 0;
  let sent = 0;
  const until = t0 + 4_000;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < until) {
      sent++;
      const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch(() => null);
      if (r) ok++;
    }
  }));
  running = false;
  await poll;
  await gw.stop();
  await Promise.all([dead.stop('SIGKILL'), healthy.stop()]);
  return `| ${label} | ${lastCount} | ${lastSeen.toFixed(0)} ms | ${ok}/${sent} |`;
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

async function main(): Promise<void> {
  const [faulty, healthy] = await Promise.all([startSim(['--chunks', '4']), startSim(['--chunks', '4'])]);
  await loadRun('warm-up', true, faulty, healthy); // JIT and sockets warm, so the baseline is not penalized
  const rows = [
    await loadRun('fault-free (healthy deployment only)', true, faulty, healthy),
    await loadRun('6 flaky deployments + 1 healthy, balance: weighted', false, faulty, healthy, 'weighted'),
    await loadRun('6 flaky deployments + 1 healthy, balance: latency', false, faulty, healthy, 'latency'),
    await loadRun('fault-free again (run-to-run noise)', true, faulty, healthy),
  ];
  await Promise.all([faulty.stop(), healthy.stop()]);

  console.log(`### Load: ${N} requests (half streaming), ${CONCURRENCY} concurrent, openai client with maxRetries 0\n`);
  console.log('| run | served successfully | p50 | p99 | max | usage records / requests | faults injected |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const l = r.load;
    console.log(`| ${r.name} | ${l.ok}/${l.requests} (${((100 * l.ok) / l.requests).toFixed(1)}%) | ${fmt(percentile(l.latenciesMs, 50))} | ${fmt(percentile(l.latenciesMs, 99))} | ${fmt(Math.max(...l.latenciesMs))} | ${r.records}/${l.requests} | ${r.faults} |`);
    if (l.failures.length) console.log(`\nfailures: ${l.failures.slice(0, 5).join('; ')}\n`);
  }

  console.log('\n### Circuit breaker: a dead deployment beside a healthy one (weighted 50/50, 8 concurrent, 4 s)\n');
  console.log('| dead deployment | requests it received | last one at (after load start) | served |');
  console.log('|---|---|---|---|');
  console.log(await breakerRun(['--fault', 'http_500'], 'answers 500'));
  console.log(await breakerRun(['--fault', 'hang'], 'hangs (ttft_ms = total_ms = 1000)'));
}

await main();
