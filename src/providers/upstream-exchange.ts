/**
 * One HTTP exchange with an OpenAI-compatible upstream, on undici's lowest-level API: the pool
 * calls a handler object back (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`).
 * `dispatcher.request()` would wrap every call in an async resource, a promise and a Readable
 * body whose chunks a `for await` loop reads back through an async generator: on the gateway's
 * core that was the largest share of per-request JavaScript, and with a thousand open streams
 * several kilobytes each that outlive young collections. Here one object per exchange is the
 * handler, and for streams also the async iterator the gateway reads parts from.
 *
 * Undici calls the old-style handler methods directly (a handler with `onRequestStart` would be
 * wrapped in an adapter first), which is why these are used.
 */
import type { Dispatcher } from 'undici';
import { isAscii } from 'node:buffer';
import type { ChatResult, StreamPart } from '../core/types.js';
import { GatewayError } from '../core/errors.js';
import type { CancelSignal } from '../core/cancel.js';
import { readChunk, readCompletion, type ChunkState } from './openai-wire.js';
import { SseDecoder } from './sse-decoder.js';
import { PlainChunks, type ChunkShapes, type PlainChunk } from './passthrough-chunk.js';
import { newToolCallId } from '../core/ids.js';
import { parseUpstreamJson } from './upstream-errors.js';
import type { PollableIterator } from './provider.js';

/** What a buffered exchange settles with. */
export interface BufferedResponse {
  status: number;
  text: string;
  contentType: string;
  retryAfter: string | undefined;
}

/** The response headers the providers read, found without building a header object. */
interface Head { contentType: string; retryAfter: string | undefined }

function readHead(raw: Buffer[] | string[] | null): Head {
  const head: Head = { contentType: '', retryAfter: undefined };
  if (!raw) return head;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const len = name.length;
    if (len !== 12 && len !== 11) continue;
    const n = (typeof name === 'string' ? name : name.toString('latin1')).toLowerCase();
    if (n === 'content-type') head.contentType = raw[i + 1].toString();
    else if (n === 'retry-after') head.retryAfter = raw[i + 1].toString();
  }
  return head;
}

type Abort = (err?: Error) => void;

/**
 * The text of an upstream read that ends in an ASCII byte, as Buffer#toString (UTF-8) decodes it.
 * undici calls `onData` once per HTTP chunk, each a view into the socket read the chunk came in,
 * and an upstream writes each event as its own chunk: a read of a streamed answer holds a few
 * dozen. When a chunk's read is ASCII from the chunk to its end (one native check), all of it is
 * decoded at once and this chunk and the read's next ones are substrings of that text: one
 * decode per read instead of one per chunk (each ~110-140 ns). Only while the read is being
 * handled (the text is dropped in the next microtask), so a buffer a socket reused for a later
 * read could never be read from the old text, and never for a buffer in Buffer's pool.
 */
function readText(chunk: Buffer): string {
  const ab = chunk.buffer;
  const off = chunk.byteOffset;
  const end = off + chunk.length;
  if (ab === readAb && off >= readFrom && end <= readEnd) return readStr.slice(off - readFrom, end - readFrom);
  const size = ab.byteLength - off;
  // Not in a slab of Buffer's pool (what Buffer.from and small Buffer.concat results share): bytes
  // after this chunk there may be given to a buffer made later, after they were decoded. A
  // socket read's buffer holds that read and nothing else.
  if (size > chunk.length && size <= READ_TEXT_MAX && ab.byteLength !== Buffer.poolSize) {
    const rest = Buffer.from(ab, off, size);
    if (isAscii(rest)) {
      readStr = rest.toString('latin1'); // ASCII: the same text as UTF-8, by the fastest decoder
      readAb = ab;
      readFrom = off;
      readEnd = off + size;
      if (!dropScheduled) { dropScheduled = true; queueMicrotask(dropReadText); }
      return readStr.slice(0, chunk.length);
    }
  }
  return chunk.toString(); // UTF-8 without an encoding lookup
}

/** Larger reads are decoded chunk by chunk (a socket reads 64 KB at most). */
const READ_TEXT_MAX = 64 * 1024;
let readAb: ArrayBufferLike | null = null;
let readFrom = 0;
let readEnd = 0;
let readStr = '';
let dropScheduled = false;
function dropReadText(): void {
  dropScheduled = false;
  readAb = null;
  readStr = '';
}

/**
 * The part every exchange shares: the link to the caller's signal and undici's abort function.
 * Subclasses see each event once; after `settle()` nothing more is delivered.
 */
abstract class Exchange implements Dispatcher.DispatchHandler {
  protected abortUpstream: Abort | null = null;
  /** Set when the caller gave up before undici handed us its abort function. */
  protected cancelled: Error | null = null;
  protected settled = false;
  private readonly onSignal: (() => void) | null;

  constructor(protected readonly signal: CancelSignal) {
    if (signal.aborted) {
      this.onSignal = null;
      this.cancelled = asError(signal.reason);
    } else {
      this.onSignal = () => this.cancel(asError(signal.reason));
      signal.addEventListener('abort', this.onSignal, { once: true });
    }
  }

  /** Stops the exchange with `err`: the upstream request is cut and the consumer sees `err`. */
  cancel(err: Error): void {
    if (this.settled) return;
    this.cancelled = err;
    const abort = this.abortUpstream;
    if (abort) abort(err); // undici calls onError(err) from inside abort
    else this.onError(err); // still queued in the pool: onConnect will abort it
  }

  protected unlink(): void {
    if (this.onSignal) this.signal.removeEventListener('abort', this.onSignal);
  }

  onConnect(abort: Abort): void {
    if (this.cancelled) { abort(this.cancelled); return; }
    this.abortUpstream = abort;
  }

  abstract onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean;
  abstract onData(chunk: Buffer): boolean;
  abstract onComplete(trailers: string[] | null): void;
  abstract onError(err: Error): void;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new GatewayError('upstream_error', 'the request was cancelled', { cause: reason });
}

/** A whole response body as text (non-streaming calls, error bodies). */
export class BufferedExchange extends Exchange {
  private status = 0;
  private head: Head = { contentType: '', retryAfter: undefined };
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(signal: CancelSignal, private readonly resolve: (r: BufferedResponse) => void, private readonly reject: (err: unknown) => void) {
    super(signal);
  }

  onHeaders(status: number, raw: Buffer[]): boolean {
    if (status < 200) return true; // 1xx: the real head follows
    this.status = status;
    this.head = readHead(raw);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    this.unlink();
    const c = this.chunks;
    // toString() without arguments is Buffer's UTF-8 fast path (no encoding lookup).
    const text = c.length === 1 ? c[0].toString() : c.length === 0 ? '' : Buffer.concat(c, this.size).toString();
    this.chunks = [];
    this.resolve({ status: this.status, text, contentType: this.head.contentType, retryAfter: this.head.retryAfter });
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.unlink();
    this.chunks = [];
    this.reject(err);
  }
}

export interface SseExchangeOptions {
  provider: string;
  signal: CancelSignal;
  /** Maps undici and network errors to the gateway's (timeouts, unreachable, …). */
  failure: (err: unknown) => GatewayError;
  /** Turns an error status and its body into the error to throw (before any part). */
  httpError: (status: number, text: string, retryAfter: string | undefined) => GatewayError;
  /** Forward plain content chunks as text (plain OpenAI dialect only). */
  passthrough: boolean;
  /** What this upstream's chunks look like, shared by its streams (with `passthrough`). */
  shapes?: ChunkShapes;
}

type RawChunks = Extract<StreamPart, { type: 'raw-chunks' }>;
const DONE: IteratorResult<StreamPart> = Object.freeze({ done: true, value: undefined });
/** Parts queued before undici is asked to stop reading the socket (a consumer slower than its upstream). */
const HIGH_WATER = 512;
/**
 * Plain content chunks gathered into one queued part at most: HIGH_WATER counts parts, so this
 * bounds what a stream holds before its upstream is paused.
 */
const MAX_MERGED = 64;
/** Bytes accepted after `[DONE]` before the exchange is cut (a server that never ends its body). */
const AFTER_DONE_LIMIT = 64 * 1024;

/**
 * A streamed answer: undici's handler on one side, the async iterator of stream parts on the
 * other. `opened` settles once the upstream answered: with the iterator for an event stream (or
 * a JSON body some servers send despite `stream: true`, replayed as parts), or with the error
 * for an error status or a connection failure, so the caller can still fail over. After that,
 * failures arrive in-band as one `error` part and the iterator ends.
 *
 * Consecutive plain content chunks become one `raw-chunks` part for as long as the consumer has
 * not taken it. Upstreams send each event as its own HTTP chunk, and undici calls `onData` once
 * per chunk, all within one socket read: the consumer is woken for the first and finds the rest
 * in one part, instead of one promise round trip (through every layer of iterators) per event.
 */
export class SseExchange extends Exchange implements PollableIterator<StreamPart>, AsyncIterable<StreamPart> {
  readonly opened: Promise<AsyncIterable<StreamPart>>;
  private open!: (it: AsyncIterable<StreamPart>) => void;
  private fail!: (err: unknown) => void;
  /** 0 before headers, 1 streaming SSE, 2 buffering a body (error status or JSON). */
  private mode: 0 | 1 | 2 = 0;
  private status = 0;
  private head: Head | null = null;
  private body: Buffer[] | null = null;
  private readonly o: SseExchangeOptions;

  private readonly queue: StreamPart[] = [];
  private qi = 0;
  private waiter: ((r: IteratorResult<StreamPart>) => void) | null = null;
  /** No part will be queued any more (the answer ended, failed, or the consumer left). */
  private ended = false;
  /** `[DONE]` was seen: later bytes are only drained so the connection can be reused. */
  private doneSeen = false;
  private afterDone = 0;
  private complete = false;
  private resume: (() => void) | null = null;
  private paused = false;

  private readonly decoder: SseDecoder;
  private readonly state: ChunkState = { started: false };
  private plain: PlainChunks | null = null;
  private raw: RawChunks | null = null;
  private bad: GatewayError | null = null;
  /** Created on the first read that splits a multi-byte character; most streams never need one. */
  private utf8: TextDecoder | null = null;
  private clean = true;

  constructor(o: SseExchangeOptions) {
    super(o.signal);
    this.o = o;
    this.opened = new Promise((resolve, reject) => { this.open = resolve; this.fail = reject; });
    this.decoder = new SseDecoder((data) => this.event(data));
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamPart> {
    return this;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (status < 200) return true;
    this.status = status;
    this.head = readHead(raw);
    this.resume = resume;
    if (status >= 400 || this.head.contentType.includes('application/json')) {
      this.mode = 2;
      this.body = [];
      return true;
    }
    this.mode = 1;
    this.open(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.mode === 2) { this.body!.push(chunk); return true; }
    if (this.ended) {
      // After [DONE] (or once the consumer left) the rest is drained, within reason.
      this.afterDone += chunk.length;
      if (this.afterDone > AFTER_DONE_LIMIT) this.cutUpstream();
      return true;
    }
    // Buffer#toString is the fast decoder, safe whenever no character is split across reads: the
    // TextDecoder (which keeps a split character's bytes) is clean after a read that ended in an
    // ASCII byte, and this read ends in one too.
    const asciiEnd = chunk.length > 0 && chunk[chunk.length - 1] < 0x80;
    const text = asciiEnd && this.clean ? readText(chunk) : (this.utf8 ??= new TextDecoder()).decode(chunk, { stream: true });
    this.clean = asciiEnd;
    // An upstream writes each event as its own HTTP chunk: one that is a whole plain content chunk
    // of this stream's shape skips the decoder (see PlainChunks.readEvent).
    const plain = this.plain !== null && !this.doneSeen && this.bad === null && this.decoder.idle() ? this.plain.readEvent(text) : null;
    if (plain !== null) this.plainPart(plain);
    else this.decoder.push(text);
    if (this.bad) {
      this.finish(this.bad);
      this.cutUpstream();
      return true;
    }
    if (this.doneSeen) this.finish(null);
    else this.deliver();
    if (this.queue.length - this.qi >= HIGH_WATER && !this.ended) { this.paused = true; return false; }
    return true;
  }

  onComplete(): void {
    this.complete = true;
    if (this.settled) return;
    this.settled = true;
    this.unlink();
    if (this.mode === 2) { this.completeBuffered(); return; }
    if (this.ended) return;
    if (!this.doneSeen) {
      // Some servers end without `[DONE]`, or without the blank line after the last event.
      if (this.utf8) this.decoder.push(this.utf8.decode());
      this.decoder.end();
    }
    this.finish(this.bad);
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.unlink();
    if (this.mode === 2 && this.status >= 400) {
      // The error status is what counts, even if its body was cut short.
      this.fail(this.o.httpError(this.status, Buffer.concat(this.body!).toString('utf8'), this.head!.retryAfter));
      return;
    }
    if (this.mode !== 1) { this.fail(this.o.failure(err)); return; }
    if (this.ended) return;
    // Parts already read still go out, then the error.
    this.finish(this.o.failure(err));
  }

  /** The next result when it is already here (see PollableIterator), else undefined. */
  poll(): IteratorResult<StreamPart> | undefined {
    if (this.qi < this.queue.length) return { done: false, value: this.take() };
    if (this.ended) return DONE;
    return undefined;
  }

  next(): Promise<IteratorResult<StreamPart>> {
    const ready = this.poll();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.paused) this.unpause();
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  /** The consumer stopped reading: an unfinished upstream request is cut. */
  return(): Promise<IteratorResult<StreamPart>> {
    this.ended = true;
    this.queue.length = 0;
    this.qi = 0;
    this.raw = null;
    this.waiter = null;
    if (!this.complete && !this.doneSeen) this.cutUpstream();
    else if (this.paused) this.unpause();
    return Promise.resolve(DONE);
  }

  private take(): StreamPart {
    const v = this.queue[this.qi++];
    if (v === this.raw) this.raw = null; // handed out: never appended to again
    if (this.qi === this.queue.length) {
      this.queue.length = 0;
      this.qi = 0;
      if (this.paused) this.unpause();
    }
    return v;
  }

  private unpause(): void {
    this.paused = false;
    this.resume?.();
  }

  /** Hands the first queued part to a waiting consumer. */
  private deliver(): void {
    const w = this.waiter;
    if (w && this.qi < this.queue.length) {
      this.waiter = null;
      w({ done: false, value: this.take() });
    }
  }

  /** No more parts after those queued (and `err`, if any). */
  private finish(err: GatewayError | null): void {
    if (this.ended) return;
    if (err) this.queue.push({ type: 'error', error: err });
    this.ended = true;
    this.deliver();
    const w = this.waiter;
    if (w) { this.waiter = null; w(DONE); }
  }

  private cutUpstream(): void {
    if (this.complete) return;
    const abort = this.abortUpstream;
    this.abortUpstream = null;
    // Not `cancel()`: the consumer already has what it should get; this only frees the socket.
    this.settled = true;
    this.unlink();
    abort?.(new GatewayError('upstream_error', 'the stream was closed by the gateway'));
  }

  private event(data: string): void {
    if (this.doneSeen || this.bad) return;
    if (data === '[DONE]') { this.doneSeen = true; this.raw = null; return; }
    const q = this.queue;
    const plains = this.plain; // set after the first chunk, with passthrough
    // A started stream's other chunks: forwarded as text when plain, else read from `"choices":[`
    // on when they share the first chunk's head (PlainChunks.rest), and a finish chunk this
    // upstream sent before is not parsed again (ChunkShapes).
    let rest: string | null = null;
    if (plains !== null) {
      const plain = plains.read(data);
      if (plain) { this.plainPart(plain); return; }
      rest = plains.rest(data);
      const known = rest === null ? undefined : this.o.shapes?.part(rest);
      if (known) {
        this.raw = null;
        q.push(known);
        return;
      }
    }
    this.raw = null;
    const shapes = this.o.shapes;
    if (!this.state.started && shapes && this.o.passthrough) {
      // A first chunk (the role header) whose rest this upstream sent before: only its head is parsed.
      const parts = shapes.first(data);
      if (parts !== null) {
        this.state.started = true;
        for (let i = 0; i < parts.length; i++) q.push(parts[i]);
        (this.plain = new PlainChunks(shapes)).learnHead(data);
        return;
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(rest === null ? data : `{${rest}`);
    } catch {
      this.bad = new GatewayError('upstream_error', `upstream ${this.o.provider} sent a malformed stream chunk: ${data.slice(0, 200)}`);
      return;
    }
    const err = (json as { error?: unknown }).error;
    if (err) {
      const msg = typeof err === 'object' && err && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : JSON.stringify(err);
      this.bad = new GatewayError('upstream_error', `upstream ${this.o.provider} reported an error mid-stream: ${msg}`);
      return;
    }
    const first = !this.state.started;
    const n = q.length;
    readChunk(json, this.state, q);
    if (!this.o.passthrough) return;
    if (first) {
      (this.plain = new PlainChunks(shapes ?? null)).learnHead(data);
      shapes?.learnFirst(data, q.slice(n));
    } else if (rest !== null && shapes && q.length === n + 1) shapes.learnPart(rest, q[n]);
  }

  /** Adds a plain chunk to the part the consumer has not taken yet, or queues a new one. */
  private plainPart(plain: PlainChunk): void {
    const raw = this.raw;
    if (raw && raw.chunks.length < MAX_MERGED) { raw.chunks.push(plain.rest); raw.textChars += plain.textChars; }
    else { this.raw = { type: 'raw-chunks', chunks: [plain.rest], textChars: plain.textChars }; this.queue.push(this.raw); }
  }

  private completeBuffered(): void {
    const c = this.body!;
    this.body = null;
    const text = Buffer.concat(c).toString('utf8');
    const head = this.head!;
    if (this.status >= 400) { this.fail(this.o.httpError(this.status, text, head.retryAfter)); return; }
    // Some servers ignore `stream: true` and answer with one JSON body: replayed as parts.
    let result: ChatResult;
    try {
      result = readCompletion(parseUpstreamJson(this.o.provider, text), newToolCallId);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.mode = 1;
    for (const p of replayAsParts(result)) this.queue.push(p);
    this.ended = true;
    this.open(this);
  }
}

/** A whole answer as the parts a stream of it would have carried. */
export function replayAsParts(result: ChatResult): StreamPart[] {
  const parts: StreamPart[] = [{ type: 'start', id: result.id, model: result.model, created: result.created }];
  const c = result.choices[0];
  if (c) {
    if (c.reasoning) parts.push({ type: 'reasoning', text: c.reasoning });
    if (c.content) parts.push({ type: 'text', text: c.content });
    if (c.toolCalls) {
      for (let index = 0; index < c.toolCalls.length; index++) {
        const tc = c.toolCalls[index];
        parts.push({ type: 'tool-call', index, id: tc.id, name: tc.function.name, argumentsDelta: tc.function.arguments });
      }
    }
    parts.push({ type: 'finish', reason: c.finish });
  }
  if (result.usage) parts.push({ type: 'usage', usage: result.usage });
  return parts;
}
