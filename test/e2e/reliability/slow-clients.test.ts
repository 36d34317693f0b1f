/**
 * Slow clients (slowloris) are cut off with 408 once the configured limits pass, while a
 * streamed answer that takes longer than those limits is not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

/** Sends `bytes`, keeps the socket open, and resolves with what the server sent before closing. */
function dribble(origin: string, bytes: string): Promise<string> {
  const u = new URL(origin);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname, () => s.write(bytes));
    let got = '';
    s.on('data', (c) => { got += c.toString(); });
    s.on('close', () => resolve(got));
    s.on('error', () => undefined);
  });
}

describe('slow clients', () => {
  let sim: Proc;
  let gw: Proc;

  before(async () => {
    sim = await startSim(['--chunks', '6', '--chunk-interval-ms', '300']);
    gw = await startGateway({
      reliability: { client: { headers_timeout_ms: 300, request_timeout_ms: 600 } },
      providers: [{ id: 's', type: 'openai-compatible', base_url: sim.url }],
      models: [{ name: 'm', deployments: [{ provider: 's', model: 'm' }] }],
    });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test('headers that never finish get 408 and a closed connection', async () => {
    const got = await dribble(gw.origin, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-ty');
    assert.match(got, /^HTTP\/1\.1 408/);
  });

  test('a body that never finishes gets 408 and a closed connection', async () => {
    const got = await dribble(gw.origin, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":');
    assert.match(got, /^HTTP\/1\.1 408/);
  });

  test('a stream longer than the request limits is not cut', async () => {
    const r = await fetch(`${gw.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'take your time' }] }),
    });
    const text = await r.text();
    assert.equal(r.status, 200);
    assert.match(text, /data: \[DONE\]/);
  });
});
