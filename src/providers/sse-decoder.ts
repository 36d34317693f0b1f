/**
 * Server-sent events, decoded once for every provider (the WHATWG event-stream rules, minus
 * `id`/`retry` which no LLM API uses). Feed it text; it calls back with each event's data.
 * Multi-byte characters split across network chunks are handled by the caller decoding with
 * `setEncoding('utf8')` / a streaming TextDecoder before feeding.
 */
export class SseDecoder {
  private buf = '';
  private data: string[] = [];

  constructor(private readonly onData: (data: string, event: string | null) => void) {}

  private event: string | null = null;

  push(text: string): void {
    this.buf = this.buf.length ? this.buf + text : text;
    const buf = this.buf;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl < 0) break;
      // The usual event, `data: X` and a blank line (LF only), dispatched without line splitting.
      if (nl > start && buf.charCodeAt(nl + 1) === 10 && this.data.length === 0 && this.event === null
        && buf.startsWith('data: ', start) && buf.charCodeAt(nl - 1) !== 13) {
        this.onData(buf.slice(start + 6, nl), null);
        start = nl + 2;
        continue;
      }
      let end = nl;
      if (end > start && buf.charCodeAt(end - 1) === 13) end--; // CRLF
      this.line(buf.slice(start, end));
      start = nl + 1;
    }
    this.buf = start === 0 ? buf : buf.slice(start);
  }

  /** True when nothing is buffered: the next text starts a new line and a new event. */
  idle(): boolean {
    return this.buf.length === 0 && this.data.length === 0 && this.event === null;
  }

  /** Dispatches a final event that had no trailing blank line (some servers end that way). */
  end(): void {
    if (this.buf.length) this.line(this.buf);
    this.buf = '';
    this.line('');
  }

  private line(line: string): void {
    if (line.length === 0) {
      if (this.data.length) {
        const data = this.data.length === 1 ? this.data[0] : this.data.join('\n');
        this.data = [];
        const ev = this.event;
        this.event = null;
        this.onData(data, ev);
      }
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
