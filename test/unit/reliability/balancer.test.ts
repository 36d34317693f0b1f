import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reliability } from '../../../src/reliability/reliability.js';
import type { Deployment } from '../../../src/router/registry.js';
import type { Provider } from '../../../src/providers/provider.js';

const provider = { id: 'p' } as Provider;
const dep = (key: string, modelName = 'm', weight = 1): Deployment =>
  ({ key, modelName, provider, providerId: key.split('/')[0], upstreamModel: key, capabilities: {}, locality: 'cloud', weight });

function rel(balance: 'ordered' | 'weighted' | 'least_in_flight' | 'latency', random?: () => number) {
  return new Reliability({ config: { providers: [], models: [{ name: 'm', deployments: [{ provider: 'a', model: 'x' }], balance }] }, random });
}

test('ordered keeps config order and fallbacks stay after the model', () => {
  const r = rel('ordered');
  const ds = [dep('a/1'), dep('b/1'), dep('c/1', 'fallback')];
  assert.deepEqual(r.order(ds).map((d) => d.key), ['a/1', 'b/1', 'c/1']);
});

test('least_in_flight prefers the idle deployment, fallbacks still last', () => {
  const r = rel('least_in_flight');
  const ds = [dep('a/1'), dep('b/1'), dep('c/1', 'fallback')];
  r.state(ds[0]).inFlight = 3;
  assert.deepEqual(r.order(ds).map((d) => d.key), ['b/1', 'a/1', 'c/1']);
});

test('latency prefers the lower EWMA and tries unmeasured deployments first', () => {
  const r = rel('latency');
  const ds = [dep('a/1'), dep('b/1'), dep('c/1')];
  r.state(ds[0]).sample(500);
  r.state(ds[1]).sample(100);
  assert.deepEqual(r.order(ds).map((d) => d.key), ['c/1', 'b/1', 'a/1']);
  r.state(ds[2]).sample(300);
  r.state(ds[1]).inFlight = 4; // fast but busy: 100 × 5 > 300
  assert.deepEqual(r.order(ds).map((d) => d.key), ['c/1', 'a/1', 'b/1']);
});

test('weighted picks in proportion to weight', () => {
  let seed = 7;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const r = rel('weighted', random);
  const ds = [dep('a/1', 'm', 3), dep('b/1', 'm', 1)];
  let a = 0;
  for (let i = 0; i < 4000; i++) if (r.order(ds)[0].key === 'a/1') a++;
  assert.ok(a > 2800 && a < 3200, `a first ${a}/4000, expected ~3000`);
});
