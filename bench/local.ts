/**
 * Embedded llama.cpp: tokens per second and time to first token through three paths on the same generated
 * model with the same settings, in one run: node-llama-cpp called directly, LocalProvider in-process, and
 * the real `switchyard serve` process over HTTP (SSE). Runs alternate between the paths so machine noise
 * hits all alike; medians are reported.
 *
 *   node dist/bench/local.js [--runs N (15)] [--tokens N (200)] [--warmup N (15)] [--bench-cpu 0|1] [--no-pin]
 *
 * CPU pinning (when taskset exists and there are two CPUs): the gateway, with its llama.cpp thread, on
 * CPU 1; this process on CPU 0 while it is the gateway's SSE client, and moved onto CPU 1 (all its threads,
 * llama.cpp's included) for the direct and in-process runs (`--bench-cpu 1` swaps the CPUs). So in every
 * path the model computes on the same core, shared only with the JS serving it; in the HTTP path the
 * client's SSE parsing runs on the other core, as a real client on another machine or core would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { LocalProvider } from '../src/providers/local.js';
import { TemplateFormat } from '../src/local/template-format.js';
import { writeTinyModel } from '../test/helpers/gguf.js';
import { chatRequest, LOOP_PIECES } from '../test/helpers/local-models.js';
import { closeClient, hasTaskset, pinSelf, startGateway, viaGateway, type Sample } from './local-gateway.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 15);
const TOKENS = arg('tokens', 200);
/** Untimed rounds first: the gateway's per-token JS path takes a few thousand tokens to be JIT-compiled. */
const WARMUP = arg('warmup', 15);
/** CPU for this process when pinning; the gateway gets the other one (swap them to see core-to-core noise). */
const BENCH_CPU = arg('bench-cpu', 0);
const SETTINGS = { contextSize: 512, threads: 1, sequences: 1 };

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function direct(llama: Llama, path: string): Promise<() => Promise<Sample>> {
  const model = await llama.loadModel({ modelPath: path });
  const context = await model.createContext({ contextSize: SETTINGS.contextSize, threads: SETTINGS.threads, sequences: 1 });
  const sequence = context.getSequence();
  const prompt = new TemplateFormat(model).render(chatRequest([{ role: 'user', content: 'Sing.' }]));
  return async () => {
    const t0 = performance.now();
    let first = 0;
    let n = 0;
    let text = '';
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
      text += model.detokenize([token]); // a direct user needs text too
      if (n++ === 0) first = performance.now();
      if (n >= TOKENS) break;
    }
    const t1 = performance.now();
    await sequence.clearHistory();
    if (!text) throw new Error('no output');
    return { ttftMs: first - t0, tokPerSec: (n - 1) / ((t1 - first) / 1000) };
  };
}

async function viaProvider(llama: Llama, path: string): Promise<{ run: () => Promise<Sample>; close: () => Promise<void> }> {
  const provider = new LocalProvider({ id: 'local', models: [{ name: 'm', path, ...SETTINGS }] }, { llama: async () => llama });
  await provider.validate();
  await provider.preload();
  const request = chatRequest([{ role: 'user', content: 'Sing.' }], { temperature: 0, max_tokens: TOKENS, stream: true });
  return {
    close: () => provider.close(),
    run: async () => {
      const t0 = performance.now();
      let first = 0;
      let n = 0;
      let end = 0;
      for await (const p of await provider.stream({ request, upstreamModel: 'm', signal: new AbortController().signal })) {
        if (p.type === 'text' && n++ === 0) first = performance.now();
        if (p.type === 'finish') end = performance.now();
        if (p.type === 'usage' && p.usage.outputTokens !== TOKENS) throw new Error(`expected ${TOKENS} tokens, got ${p.usage.outputTokens}`);
      }
      // one text part per token (LOOP_PIECES are whole tokens), so n counts tokens
      return { ttftMs: first - t0, tokPerSec: (n - 1) / ((end - first) / 1000) };
    },
  };
}

const fmt = (x: number, digits = 0): string => x.toFixed(digits);

async function main(): Promise<void> {
  const pin = !process.argv.includes('--no-pin') && cpus().length >= 2 && hasTaskset();
  const gatewayCpu = BENCH_CPU === 0 ? 1 : 0;
  if (pin) pinSelf(BENCH_CPU); // before getLlama, so llama.cpp's threads inherit the mask
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const shapes = [
    { label: 'tiny (1 layer, ff 64)', size: { layers: 1, feedForward: 64 } },
    { label: 'small (6 layers, ff 1024)', size: { layers: 6, feedForward: 1024 } },
  ];
  const tps: string[] = [];
  const ttft: string[] = [];
  for (const shape of shapes) {
    const m = writeTinyModel(dir, `bench-${shape.size.layers}.gguf`, { arch: 'llama', script: { after: '\n', pieces: LOOP_PIECES, loop: true }, size: shape.size });
    const d = await direct(llama, m.path);
    const p = await viaProvider(llama, m.path);
    const name = `bench-${shape.size.layers}`;
    const gw = await startGateway({ dir, modelPath: m.path, name, settings: SETTINGS, cpu: pin ? gatewayCpu : undefined });
    const g = () => viaGateway(gw.url, name, TOKENS);
    const ds: Sample[] = []; const ps: Sample[] = []; const gs: Sample[] = [];
    try {
      // The gateway loads the model on its first request; all paths are warmed alike.
      // Every path computes on the same core: for the direct and in-process runs this process (and its
      // llama.cpp threads) moves onto the gateway's core, which is idle then; for the gateway runs it
      // moves back, so the SSE client parses on the other core. Otherwise the ratio also measures the
      // difference between two cores.
      const here = (f: () => Promise<Sample>) => async () => { if (pin) pinSelf(gatewayCpu); try { return await f(); } finally { if (pin) pinSelf(BENCH_CPU); } };
      const dd = here(d);
      const pp = here(() => p.run());
      for (let i = 0; i < WARMUP; i++) { await dd(); await pp(); await g(); }
      for (let i = 0; i < RUNS; i++) {
        // Rotate the order so none of the paths always runs right after another.
        const order = [() => dd().then((x) => ds.push(x)), () => pp().then((x) => ps.push(x)), () => g().then((x) => gs.push(x))];
        for (let k = 0; k < 3; k++) await order[(i + k) % 3]();
      }
    } finally {
      await p.close();
      await gw.stop(); // never leave a gateway process behind
    }
    const med = (xs: Sample[], f: (s: Sample) => number): number => median(xs.map(f));
    // Ratios and differences within one round, so load from other processes cancels out.
    const ratio = (xs: Sample[]): number => median(ds.map((s, i) => xs[i].tokPerSec / s.tokPerSec));
    const added = (xs: Sample[]): number => median(ds.map((s, i) => xs[i].ttftMs - s.ttftMs));
    const label = `${shape.label}, ${(m.bytes / 1e6).toFixed(1)} MB`;
    const tok = (s: Sample) => s.tokPerSec;
    const first = (s: Sample) => s.ttftMs;
    tps.push(`| ${label} | ${fmt(med(ds, tok))} | ${fmt(med(ps, tok))} | ${fmt(med(gs, tok))} | ${fmt(ratio(ps), 3)} | ${fmt(ratio(gs), 3)} |`);
    ttft.push(`| ${label} | ${fmt(med(ds, first), 2)} | ${fmt(med(ps, first), 2)} | ${fmt(med(gs, first), 2)} | ${fmt(added(ps), 2)} | ${fmt(added(gs), 2)} |`);
  }
  rmSync(dir, { recursive: true, force: true });
  await closeClient();
  const loadAfter = loadavg();
  const la = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`Embedded llama.cpp: direct node-llama-cpp vs LocalProvider in-process vs the gateway over HTTP (SSE). ${TOKENS} tokens per run, ${RUNS} rounds (order rotating) after ${WARMUP} untimed ones, medians; ratio and added TTFT are medians over each round's pair. CPU, threads=1, sequences=1, contextSize=${SETTINGS.contextSize}.`);
  console.log(`Machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${la(loadBefore)} (start) / ${la(loadAfter)} (end). Pinning: ${pin ? `gateway on CPU ${gatewayCpu}; the direct and in-process runs on CPU ${gatewayCpu} too (the bench process moves there for them); the SSE client on CPU ${BENCH_CPU}` : 'none'}.\n`);
  console.log('| model | direct tok/s | in-process tok/s | gateway HTTP tok/s | in-process / direct | gateway / direct (target ≥ 0.95) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of tps) console.log(r);
  console.log('\n| model | direct TTFT ms | in-process TTFT ms | gateway HTTP TTFT ms | in-process added ms | gateway added ms (target ≤ 5) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of ttft) console.log(r);
  await llama.dispose();
}

await main();
