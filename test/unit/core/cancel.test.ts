import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { Cancel, toAbortSignal } from '../../../src/core/cancel.js';
import { race } from '../../../src/reliability/race.js';
import { sleep } from '../../../src/reliability/backoff.js';
import { GatewayError } from '../../../src/core/errors.js';

test('abort runs each listener once, in order, with the reason set; later aborts change nothing', () => {
  const c = new Cancel();
  const seen: string[] = [];
  const a = () => seen.push(`a:${String(c.reason)}`);
  const b = () => seen.push('b');
  const gone = () => seen.push('removed');
  c.addEventListener('abort', a);
  c.addEventListener('abort', gone);
  c.addEventListener('abort', b, { once: true });
  c.removeEventListener('abort', gone);
  c.abort('first');
  c.abort('second');
  assert.equal(c.aborted, true);
  assert.equal(c.reason, 'first');
  assert.deepEqual(seen, ['a:first', 'b']);
  c.addEventListener('abort', a); // after the fact: never called
  assert.deepEqual(seen, ['a:first', 'b']);
});

test('without a reason the reason is an AbortError, as with AbortController', () => {
  const c = new Cancel();
  c.abort();
  assert.ok(c.reason instanceof DOMException);
  assert.equal((c.reason as DOMException).name, 'AbortError');
});

test('removing the only listener, or one never added, is safe', () => {
  const c = new Cancel();
  const f = () => assert.fail('must not run');
  c.addEventListener('abort', f);
  c.removeEventListener('abort', f);
  c.removeEventListener('abort', () => undefined);
  c.abort();
});

test('toAbortSignal gives a real AbortSignal that follows the Cancel, before or after it aborted', () => {
  const c = new Cancel();
  const s = toAbortSignal(c);
  assert.ok(s instanceof AbortSignal);
  assert.equal(s.aborted, false);
  c.abort(new GatewayError('upstream_timeout', 'late'));
  assert.equal(s.aborted, true);
  assert.ok(s.reason instanceof GatewayError);
  const d = new Cancel();
  d.abort('x');
  assert.equal(toAbortSignal(d).aborted, true);
  const real = new AbortController().signal;
  assert.equal(toAbortSignal(real), real);
});

test('race and sleep give up when a Cancel aborts', async () => {
  const c = new Cancel();
  const never = new Promise<never>(() => undefined);
  const r = race(never, { ms: 60_000, timeoutError: () => new GatewayError('upstream_timeout', 't'), signal: c });
  const s = sleep(60_000, c);
  c.abort(new GatewayError('upstream_error', 'client gone'));
  await assert.rejects(r, (e: unknown) => e instanceof GatewayError && e.message === 'client gone');
  await assert.rejects(s);
});

test('undici takes a Cancel as its signal: aborting it ends an in-flight request', async () => {
  const server = createServer((_req, res) => { res.writeHead(200); res.write('started'); }); // never ends
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const c = new Cancel();
    const res = await pool.request({ path: '/', method: 'GET', signal: c as unknown as AbortSignal });
    const body = res.body.text();
    c.abort(new GatewayError('upstream_error', 'stop'));
    await assert.rejects(body);
    const gone = new Cancel();
    gone.abort('already');
    await assert.rejects(pool.request({ path: '/', method: 'GET', signal: gone as unknown as AbortSignal }));
  } finally {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  }
});
