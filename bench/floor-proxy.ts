/**
 * The least any Node gateway adds: node:http in front, an undici keep-alive pool behind, and
 * nothing in between (no parsing, routing, accounting or logging; the upstream's bytes are
 * relayed as they come). The benchmark measures it beside Switchyard, pinned the same way, so
 * that the latency this machine adds to any proxy hop (scheduling a second process and its
 * core, loopback TCP) can be told apart from what Switchyard itself adds.
 *
 *   node dist/bench/floor-proxy.js --port N --upstream http://127.0.0.1:PORT
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from '../src/providers/undici-pool.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
const pool = new Pool(values.upstream!, { connections: 2048, pipelining: 1, keepAliveTimeout: 30_000 });
const HEADERS = { 'content-type': 'application/json' };

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    pool.dispatch({ path: req.url ?? '/', method: 'POST', headers: HEADERS, body: Buffer.concat(chunks) }, {
      onConnect() { /* nothing to abort with */ },
      onHeaders(status: number, raw: Buffer[]) {
        let type = 'application/json';
        for (let i = 0; i < raw.length; i += 2) if (raw[i].toString('latin1').toLowerCase() === 'content-type') type = raw[i + 1].toString('latin1');
        res.writeHead(status, { 'content-type': type });
        return true;
      },
      onData(chunk: Buffer) { res.write(chunk); return true; },
      onComplete() { res.end(); },
      onError() {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    });
  });
});
server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`floor proxy: listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`);
});
