/**
 * Hostile input, end to end: fast-check throws random methods, paths, headers and bodies
 * (malformed JSON, wrong types, deep nesting, oversized) at a real gateway process, plus raw
 * socket abuse (garbage request lines, slow and abandoned requests). Every input must get a
 * valid HTTP answer below 500, and the server must still be healthy afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

const RUNS = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 3000);
const MAX_BODY = 64 * 1024;

interface Input { method: string; path: string; headers: Record<string, string>; body: string | null }

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const FORBIDDEN = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade', 'te', 'trailer', 'keep-alive']);

// Deep nesting in a pass-through field of an otherwise valid request: it would reach JSON.stringify upstream.
const nested = fc.integer({ min: 1, max: 20_000 }).map((d) => `{"model":"m","messages":[{"role":"user","content":"x"}],"extra":${'['.repeat(d)}${']'.repeat(d)}}`);
const chatish = fc.record({
  model: fc.oneof(fc.constant('m'), fc.constant('nope'), fc.anything()),
  messages: fc.oneof(
    fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool', 'bogus'), fc.anything()), content: fc.oneof(fc.string(), fc.anything()) }), { maxLength: 4 }),
    fc.anything(),
  ),
  stream: fc.oneof(fc.boolean(), fc.anything()),
  max_tokens: fc.oneof(fc.integer(), fc.double(), fc.string()),
  temperature: fc.oneof(fc.double(), fc.string(), fc.constant(null)),
  tools: fc.oneof(fc.constant(undefined), fc.anything()),
  stream_options: fc.oneof(fc.constant(undefined), fc.anything()),
}, { requiredKeys: [] }).map((o) => JSON.stringify(o));

const body: fc.Arbitrary<string | null> = fc.oneof(
  fc.constant(null),
  chatish,
  chatish,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  nested,
  chatish.map((s) => s.slice(0, Math.max(1, Math.floor(s.length / 2)))), // truncated JSON
  fc.constant('x'.repeat(MAX_BODY + 1)),
);

const input: fc.Arbitrary<Input> = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), fc.stringMatching(/^[A-Z]{1,8}$/)),
  path: fc.oneof(
    fc.constant('/v1/chat/completions'),
    fc.constantFrom('/v1/chat/completions', '/chat/completions', '/v1/models', '/health', '/admin/keys', '/', '/v1'),
    fc.string({ maxLength: 60 }).map((s) => `/${encodeURI(s).replace(/[?#]/g, '')}`),
  ),
  headers: fc.dictionary(token.filter((k) => !FORBIDDEN.has(k)), printable, { maxKeys: 5 }).chain((h) =>
    fc.record({
      ct: fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data'),
      auth: fc.constantFrom(undefined, 'Bearer x', 'Bearer ', 'Basic abc', 'garbage'),
    }).map(({ ct, auth }) => ({ ...h, ...(ct ? { 'content-type': ct } : {}), ...(auth ? { authorization: auth } : {}) }))),
  body,
});

function send(origin: string, agent: Agent, i: Input): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(origin);
    const req = request({ host: u.hostname, port: u.port, method: i.method, path: i.path, headers: i.headers, agent, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${i.method} ${i.path}`)));
    req.on('error', reject);
    req.end(i.body ?? undefined);
  });
}

/** Writes raw bytes and resolves with the status line the server sent (or '' if it just closed). */
function raw(origin: string, bytes: string, opts: { abortAfterWrite?: boolean } = {}): Promise<string> {
  const u = new URL(origin);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(bytes);
      if (opts.abortAfterWrite) { s.destroy(); resolve(''); }
    });
    let got = '';
    s.on('data', (c) => { got += c.toString(); });
    s.on('close', () => resolve(got.split('\r\n')[0]));
    s.on('error', () => undefined);
    s.setTimeout(10_000, () => s.destroy());
  });
}

describe('HTTP fuzzing', () => {
  let sim: Proc;
  let gw: Proc;

  before(async () => {
    sim = await startSim();
    gw = await startGateway({
      server: { max_body_bytes: MAX_BODY },
      providers: [{ id: 's', type: 'openai-compatible', base_url: sim.url }],
      models: [{ name: 'm', deployments: [{ provider: 's', model: 'm' }] }],
    });
  });
  after(async () => {
    await gw?.stop();
    await sim?.stop();
  });

  test(`${RUNS} random requests: every one answered with a valid status below 500`, async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const statuses = new Map<number, number>();
    let tried = 0;
    await fc.assert(fc.asyncProperty(input, async (i) => {
      tried++;
      const status = await send(gw.origin, agent, i);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      assert.ok(status >= 200 && status < 500, `${i.method} ${i.path} → ${status}`);
    }), { numRuns: RUNS });
    agent.destroy();
    t.diagnostic(`fuzz inputs tried: ${tried}; statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    assert.equal(tried, RUNS);
  });

  test('raw socket abuse gets a 4xx or a clean close', async () => {
    assert.match(await raw(gw.origin, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(gw.origin, `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nhost: x\r\n\r\n`), /^HTTP\/1\.1 (400|431|414)/);
    // Abandoned mid-body and mid-headers: the server must shrug both off.
    await raw(gw.origin, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":', { abortAfterWrite: true });
    await raw(gw.origin, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-le', { abortAfterWrite: true });
    // Chunked body that lies about its chunk size.
    assert.match(await raw(gw.origin, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'), /^HTTP\/1\.1 400/);
  });

  test('after all of it the gateway is healthy and serves a real request', async () => {
    const h = await fetch(`${gw.origin}/health`);
    assert.equal(h.status, 200);
    const r = await fetch(`${gw.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'still there?' }] }) });
    assert.equal(r.status, 200);
    assert.equal(gw.child.exitCode, null);
    assert.doesNotMatch(gw.output(), /internal error|fatal/i);
  });
});
