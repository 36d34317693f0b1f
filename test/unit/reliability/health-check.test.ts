import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Provider } from '../../../src/providers/provider.js';
import { Registry } from '../../../src/router/registry.js';
import { Reliability } from '../../../src/reliability/reliability.js';
import { HealthChecker } from '../../../src/reliability/health-check.js';
import type { Config } from '../../../src/config/schema.js';

test('a local engine that stops answering /models is taken out of rotation, and put back when it returns', async () => {
  let up = true;
  const engine: Provider = {
    id: 'ollama',
    complete: () => Promise.reject(new Error('unused')),
    stream: () => Promise.reject(new Error('unused')),
    listModels: async () => { if (!up) throw new Error('ECONNREFUSED'); return ['qwen']; },
  };
  const cloud: Provider = { ...engine, id: 'cloud', listModels: async () => { throw new Error('never asked'); } };
  const config = {
    providers: [], models: [{ name: 'qwen', deployments: [{ provider: 'ollama', model: 'qwen' }, { provider: 'cloud', model: 'qwen' }] }],
  } as unknown as Config;
  const registry = new Registry(new Map([['ollama', engine], ['cloud', cloud]]), config, new Map([['ollama', 'local'], ['cloud', 'cloud']]));
  const reliability = new Reliability();
  const hc = new HealthChecker({ registry, reliability, intervalMs: 60_000, timeoutMs: 1_000 });
  assert.equal(hc.size, 1, 'only the local engine is watched');

  await hc.checkOnce();
  assert.equal(reliability.state({ key: 'ollama/qwen' }).breaker.current(), 'closed');
  up = false;
  await hc.checkOnce();
  assert.equal(reliability.state({ key: 'ollama/qwen' }).breaker.current(), 'open');
  assert.equal(reliability.state({ key: 'cloud/qwen' }).breaker.current(), 'closed');
  up = true;
  await hc.checkOnce();
  assert.equal(reliability.state({ key: 'ollama/qwen' }).breaker.current(), 'closed');
});
