/**
 * Embedded llama.cpp: tokens per second and time to first token through LocalProvider versus node-llama-cpp
 * called directly, on the same generated model with the same settings, in one run. Runs alternate between
 * the two paths so machine noise hits both alike; medians are reported.
 *
 *   node dist/bench/local.js [--runs N] [--tokens N]
 */
import { rmSync } from 'node:fs';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { LocalProvider } from '../src/providers/local.js';
import { TemplateFormat } from '../src/local/template-format.js';
import { writeTinyModel } from '../test/helpers/gguf.js';
import { chatRequest, LOOP_PIECES } from '../test/helpers/local-models.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 9);
const TOKENS = arg('tokens', 200);
const SETTINGS = { contextSize: 512, threads: 1, sequences: 1 };

interface Sample { ttftMs: number; tokPerSec: number }
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const shapes = [
    { label: 'tiny (1 layer, ff 64)', size: { layers: 1, feedForward: 64 } },
    { label: 'small (6 layers, ff 1024)', size: { layers: 6, feedForward: 1024 } },
  ];
  const rows: string[] = [];
  for (const shape of shapes) {
    const m = writeTinyModel(dir, `bench-${shape.size.layers}.gguf`, { arch: 'llama', script: { after: '\n', pieces: LOOP_PIECES, loop: true }, size: shape.size });
    const d = await direct(llama, m.path);
    const p = await viaProvider(llama, m.path);
    await d(); await p.run(); // warm-up
    const ds: Sample[] = []; const ps: Sample[] = [];
    for (let i = 0; i < RUNS; i++) { ds.push(await d()); ps.push(await p.run()); }
    await p.close();
    const dTps = median(ds.map((s) => s.tokPerSec)); const pTps = median(ps.map((s) => s.tokPerSec));
    const dTtft = median(ds.map((s) => s.ttftMs)); const pTtft = median(ps.map((s) => s.ttftMs));
    // Ratios and differences of adjacent runs, so load from other processes cancels out.
    const ratio = median(ds.map((s, i) => ps[i].tokPerSec / s.tokPerSec));
    const added = median(ds.map((s, i) => ps[i].ttftMs - s.ttftMs));
    rows.push(`| ${shape.label}, ${(m.bytes / 1e6).toFixed(1)} MB | ${dTps.toFixed(0)} | ${pTps.toFixed(0)} | ${ratio.toFixed(3)} | ${dTtft.toFixed(2)} | ${pTtft.toFixed(2)} | ${added.toFixed(2)} |`);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`Local provider vs node-llama-cpp direct: ${TOKENS} tokens per run, ${RUNS} runs each (alternating), medians (ratio and added TTFT: median over adjacent run pairs); CPU, threads=1\n`);
  console.log('| model | direct tok/s | Switchyard tok/s | ratio (target ≥ 0.95) | direct TTFT ms | Switchyard TTFT ms | TTFT added ms (target ≤ 5) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  await llama.dispose();
}

await main();
