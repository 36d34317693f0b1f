import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stringify } from 'yaml';
import { run, type ModelRow } from '../../../src/cli/models.js';
import { createSimulator, type Simulator } from '../../../src/sim/server.js';

let sim: Simulator;
let dir: string;
let file: string;

before(async () => {
  sim = createSimulator({ models: ['gpt-oss:20b', 'openai/gpt-oss-20b'] });
  const addr = await sim.listen(0);
  const base = `http://127.0.0.1:${addr.port}`;
  dir = mkdtempSync(join(tmpdir(), 'switchyard-models-'));
  file = join(dir, 'config.yaml');
  writeFileSync(file, stringify({
    providers: [
      { id: 'ollama', type: 'ollama', base_url: `${base}/ollama` },
      { id: 'together', type: 'together', base_url: `${base}/together/v1`, locality: 'cloud' },
      { id: 'down', type: 'vllm', base_url: 'http://127.0.0.1:9/v1' },
    ],
    catalog: { overrides: [{ model: 'gpt-oss-20b', provider: 'together', price: { input: 0.04, output: 0.15 } }] },
  }));
});
after(async () => { await sim.close(); rmSync(dir, { recursive: true, force: true }); });

async function runModels(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await run(args, { stdin: new PassThrough(), stdout, stderr: new PassThrough() }, env);
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

test('each deployment says whether it is reachable now, with price and context', async () => {
  const { code, out } = await runModels(['--config', file, '--json', '--timeout-ms', '1000'], { TOGETHER_API_KEY: 'k' });
  assert.equal(code, 0);
  const rows = JSON.parse(out) as ModelRow[];
  const oss = rows.find((r) => r.model === 'gpt-oss-20b')!;
  const by = new Map(oss.deployments.map((d) => [d.provider, d]));
  assert.equal(by.get('ollama')!.reachable, 'yes');
  assert.equal(by.get('ollama')!.locality, 'local');
  assert.equal(by.get('together')!.reachable, 'yes');
  assert.deepEqual(by.get('together')!.price, { input: 0.04, output: 0.15 });
  assert.equal(by.get('together')!.contextWindow, 131072);
  assert.match(by.get('down')!.reachable, /^unreachable/);
  const big = rows.find((r) => r.model === 'gpt-oss-120b')!;
  assert.equal(big.deployments.find((d) => d.provider === 'ollama')!.reachable, 'not listed');
});

test('a cloud preset without its key is reported as such, not probed', async () => {
  const { out } = await runModels(['--config', file, '--json'], {});
  const rows = JSON.parse(out) as ModelRow[];
  const t = rows.find((r) => r.model === 'gpt-oss-20b')!.deployments.find((d) => d.provider === 'together')!;
  assert.equal(t.reachable, 'no key (TOGETHER_API_KEY unset)');
});

test('the table marks estimated prices', async () => {
  const { out } = await runModels(['--config', file], { TOGETHER_API_KEY: 'k' });
  assert.match(out, /^MODEL\s+PROVIDER\s+UPSTREAM\s+WHERE\s+REACHABLE/);
  assert.match(out, /\n\s+together\s+openai\/gpt-oss-120b\s+cloud\/us\s+not listed\s+0\.15\s+0\.6\s+131072/);
  assert.match(out, /~ price is an estimate/);
});
