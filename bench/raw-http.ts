/**
 * A lean HTTP/1.1 client for the open-loop generator: keep-alive sockets, one prebuilt request
 * buffer, and a response parser that only finds the status, the end of the body (content-length
 * or chunked) and, for streams, the first content delta. A general client (undici) allocates a
 * few kilobytes per request; the generator shares a core with the simulator, and its own garbage
 * collections delay the reading of every response in flight, so it allocates next to nothing
 * beyond the socket's own read buffers.
 */
import { connect, type Socket } from 'node:net';

export interface RawTarget { host: string; port: number; path: string; headers: Record<string, string> }

export interface RawResult {
  ok: boolean;
  /** Send → first non-empty content delta, ms (streams), else NaN. */
  ttft: number;
  error?: string;
}

type Done = (r: RawResult) => void;

/** The first non-empty content delta: `"content":"x` (an empty role-only delta does not count). */
export const CONTENT = /"content":\s?"[^"]/;
const CR = 13;
const LF = 10;

/** One keep-alive connection; parses one response at a time. */
class Conn {
  readonly socket: Socket;
  private done: Done | null = null;
  private t0 = 0;
  private stream = false;
  // Parser state.
  private head = '';
  private inBody = false;
  private status = 0;
  private remaining = -1; // content-length bytes left, or -1 when chunked
  private chunked = false;
  private chunkLeft = 0; // bytes of chunk data left (+2 for its CRLF) while in a chunk
  private sizeLine = '';
  private tail = '';
  private ttft = NaN;
  private sawChoices = false;

  constructor(private readonly pool: RawPool, port: number, host: string) {
    this.socket = connect({ port, host, noDelay: true });
    this.socket.on('data', (b: Buffer) => this.onData(b));
    this.socket.on('error', () => { /* 'close' follows */ });
    this.socket.on('close', () => {
      const d = this.done;
      this.done = null;
      pool.dropped(this);
      if (d) d({ ok: false, ttft: NaN, error: 'connection closed mid-response' });
    });
  }

  send(request: Buffer, t0: number, stream: boolean, done: Done): void {
    this.done = done;
    this.t0 = t0;
    this.stream = stream;
    this.head = '';
    this.inBody = false;
    this.status = 0;
    this.remaining = -1;
    this.chunked = false;
    this.chunkLeft = 0;
    this.sizeLine = '';
    this.tail = '';
    this.ttft = NaN;
    this.sawChoices = false;
    this.socket.write(request);
  }

  private onData(b: Buffer): void {
    let i = 0;
    if (!this.inBody) {
      // Headers are small and arrive in the first read in practice; keep it simple.
      let text = b.toString('latin1');
      // The CRLF that ends a chunked body's trailer, when it came in a read of its own.
      if (!this.head) text = text.replace(/^[\r\n]+/, '');
      const all = this.head + text;
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) { this.head = all; return; }
      const head = all.slice(0, end);
      this.status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      this.chunked = lower.includes('\r\ntransfer-encoding: chunked');
      this.remaining = cl ? Number(cl[1]) : -1;
      this.inBody = true;
      i = b.length - (all.length - (end + 4)); // body start within this buffer (latin1: 1 char = 1 byte)
      this.head = '';
    }
    if (this.chunked) this.chunks(b, i);
    else this.plain(b, i);
  }

  private look(b: Buffer, from: number, to: number): void {
    if (to <= from) return;
    // Only the first content delta and the end markers matter; scanning stops once both are known.
    const s = this.tail + b.toString('latin1', from, to);
    if (this.stream && Number.isNaN(this.ttft) && CONTENT.test(s)) this.ttft = performance.now() - this.t0;
    if (!this.sawChoices && s.includes('"choices"')) this.sawChoices = true;
    this.tail = s.length > 24 ? s.slice(-24) : s;
  }

  private plain(b: Buffer, i: number): void {
    const n = this.remaining < 0 ? b.length - i : Math.min(this.remaining, b.length - i);
    this.look(b, i, i + n);
    if (this.remaining >= 0) {
      this.remaining -= n;
      if (this.remaining === 0) this.finish();
    }
  }

  private chunks(b: Buffer, i: number): void {
    while (i < b.length) {
      if (this.chunkLeft > 0) {
        // Chunk data, then its CRLF (the last 2 of chunkLeft).
        const take = Math.min(this.chunkLeft, b.length - i);
        const dataEnd = Math.min(i + take, i + Math.max(0, this.chunkLeft - 2));
        this.look(b, i, dataEnd);
        this.chunkLeft -= take;
        i += take;
        continue;
      }
      // A size line.
      const c = b[i++];
      if (c === LF) {
        const size = parseInt(this.sizeLine, 16);
        this.sizeLine = '';
        if (size === 0) {
          // The last chunk; its (empty) trailer line ends the response.
          this.finish();
          return;
        }
        this.chunkLeft = size + 2;
      } else if (c !== CR) {
        this.sizeLine += String.fromCharCode(c);
      }
    }
  }

  private finish(): void {
    const d = this.done;
    this.done = null;
    this.inBody = false;
    const ok = this.status === 200 && (this.stream ? this.tail.includes('[DONE]') : this.sawChoices);
    this.pool.idle(this);
    if (d) d(ok ? { ok, ttft: this.ttft } : { ok, ttft: this.ttft, error: `${this.status} ${this.tail}` });
  }
}

/**
 * Connections to one origin, opened on demand (a request waits only for its own connect) and
 * reused. The CRLF that ends a chunked body is dropped with the rest of its read when it came with
 * the last chunk, and stripped from the front of the next response's head when it came alone.
 */
export class RawPool {
  private readonly free: Conn[] = [];
  private readonly all = new Set<Conn>();
  private readonly request: Buffer;

  constructor(private readonly t: RawTarget, body: string) {
    const headers = { host: `${t.host}:${t.port}`, connection: 'keep-alive', 'content-length': String(Buffer.byteLength(body)), ...t.headers };
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    this.request = Buffer.from(`POST ${t.path} HTTP/1.1\r\n${lines}\r\n${body}`);
  }

  send(t0: number, stream: boolean, done: Done): void {
    let c = this.free.pop();
    if (!c) {
      c = new Conn(this, this.t.port, this.t.host);
      this.all.add(c);
    }
    c.send(this.request, t0, stream, done);
  }

  idle(c: Conn): void { this.free.push(c); }

  dropped(c: Conn): void {
    this.all.delete(c);
    const k = this.free.indexOf(c);
    if (k >= 0) this.free.splice(k, 1);
  }

  close(): void {
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.free.length = 0;
  }
}
