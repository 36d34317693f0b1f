import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RawPool, type RawResult } from '../../../bench/raw-http.js';

/**
 * A raw TCP server, so the test decides exactly how the response is cut into writes: the client
 * must find the end of the body however the bytes arrive.
 */
async function rawServer(respond: (write: (s: string) => Promise<void>, requestNo: number) => Promise<void>): Promise<{ server: Server; port: number; requests: () => number }> {
  let n = 0;
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    let buf = '';
    sock.on('data', (b) => {
      buf += b.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        const no = n++;
        const write = (s: string) => new Promise<void>((r) => { sock.write(s, 'latin1', () => setTimeout(r, 2)); });
        void respond(write, no);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port, requests: () => n };
}

const send = (pool: RawPool, stream: boolean) => new Promise<RawResult>((r) => pool.send(performance.now(), stream, r));

test('content-length bodies, split anywhere, on one reused connection', async () => {
  const body = '{"id":"x","choices":[{"message":{"content":"hi"}}]}';
  const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const whole = head + body;
  const s = await rawServer(async (write, no) => {
    const cut = 5 + (no * 7) % (whole.length - 10);
    await write(whole.slice(0, cut));
    await write(whole.slice(cut));
  });
  const pool = new RawPool({ host: '127.0.0.1', port: s.port, path: '/v1/chat/completions', headers: {} }, '{"a":1}');
  try {
    for (let i = 0; i < 12; i++) {
      const r = await send(pool, false);
      assert.equal(r.ok, true, r.error);
      assert.ok(Number.isNaN(r.ttft));
    }
    assert.equal(s.requests(), 12);
  } finally {
    pool.close();
    s.server.close();
  }
});

test('chunked SSE: the first content delta is timed and the response ends at the last chunk, however it is cut', async () => {
  const events = ['data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n', 'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n', 'data: [DONE]\n\n'];
  const chunked = events.map((e) => `${e.length.toString(16)}\r\n${e}\r\n`).join('') + '0\r\n\r\n';
  const whole = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n' + chunked;
  const s = await rawServer(async (write, no) => {
    // Request 0: every byte of the body in its own write; then cuts at varying places,
    // including between the last chunk's size line and its trailing CRLF.
    if (no === 0) {
      const bodyAt = whole.indexOf('\r\n\r\n') + 4;
      await write(whole.slice(0, bodyAt));
      for (const ch of whole.slice(bodyAt)) await write(ch);
      return;
    }
    const cut = whole.length - 2 - (no % 5) * 13;
    await write(whole.slice(0, cut));
    await write(whole.slice(cut));
  });
  const pool = new RawPool({ host: '127.0.0.1', port: s.port, path: '/v1/chat/completions', headers: { 'content-type': 'application/json' } }, '{}');
  try {
    for (let i = 0; i < 6; i++) {
      const r = await send(pool, true);
      assert.equal(r.ok, true, r.error);
      assert.ok(r.ttft > 0, 'time to the first content delta');
    }
  } finally {
    pool.close();
    s.server.close();
  }
});

test('an error status, a stream without [DONE] and a connection closed mid-response are failures', async () => {
  const s = await rawServer(async (write, no) => {
    if (no === 0) {
      const b = '{"error":{"message":"no"}}';
      await write(`HTTP/1.1 404 Not Found\r\ncontent-length: ${b.length}\r\n\r\n${b}`);
    } else if (no === 1) {
      const e = 'data: {"choices":[{"delta":{"content":"x"}}]}\n\n';
      await write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${e.length.toString(16)}\r\n${e}\r\n0\r\n\r\n`);
    } else {
      await write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"choi'); // and the socket is closed below
    }
  });
  s.server.on('connection', (sock) => sock.on('data', () => { if (s.requests() >= 3) setTimeout(() => sock.destroy(), 20); }));
  const pool = new RawPool({ host: '127.0.0.1', port: s.port, path: '/x', headers: {} }, '{}');
  try {
    const notFound = await send(pool, false);
    assert.equal(notFound.ok, false);
    assert.match(notFound.error ?? '', /^404/);
    const noDone = await send(pool, true);
    assert.equal(noDone.ok, false);
    const cut = await send(pool, false);
    assert.equal(cut.ok, false);
    assert.match(cut.error ?? '', /closed/);
  } finally {
    pool.close();
    s.server.close();
  }
});
