/**
 * buildProviders puts the "model not pulled here" guard only on providers with catalog-added
 * local deployments: their 404 moves the request on, while another provider's 404 stays the
 * request's own error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildProviders } from '../../../src/server/boot.js';
import { validateConfig } from '../../../src/config/load.js';
import { availability } from '../../../src/providers/presets/availability.js';
import { GatewayError } from '../../../src/core/errors.js';
import { providerCall } from '../../helpers/provider-call.js';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url?.endsWith('/models') || req.url?.endsWith('/tags')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[],"models":[]}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"model not found"}}');
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => { availability.stop(); server.close(); });

test('a 404 from a gated local engine fails over; a 404 elsewhere is the request\'s own', async () => {
  const { providers } = await buildProviders(validateConfig({
    providers: [{ id: 'home', type: 'ollama', base_url: base }, { id: 'custom', type: 'openai-compatible', base_url: `${base}/v1` }],
    models: [{ name: 'mine', deployments: [{ provider: 'custom', model: 'mine' }] }],
  }), {});
  const gatedErr = await providers.get('home')!.complete(providerCall('gpt-oss:120b', false)).then(() => null, (e: unknown) => e);
  assert.ok(gatedErr instanceof GatewayError, String(gatedErr));
  assert.equal(gatedErr.code, 'upstream_unavailable');
  assert.match(gatedErr.message, /this engine does not have it/);
  const plainErr = await providers.get('custom')!.complete(providerCall('mine', false)).then(() => null, (e: unknown) => e);
  assert.ok(plainErr instanceof GatewayError, String(plainErr));
  assert.equal(plainErr.upstreamStatus, 404);
  assert.notEqual(plainErr.code, 'upstream_unavailable');
});
