/**
 * The `data:` payloads of a server-sent-events byte stream, one string per event. Bytes are decoded
 * with a streaming UTF-8 decoder, so characters split across network chunks stay intact.
 */
export async function* sseData(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  let data: string[] = [];
  const takeLines = function* (final: boolean): Generator<string> {
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl < 0) break;
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (data.length) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
      }
    }
    if (final) {
      if (buf.startsWith('data:')) data.push(buf.slice(buf.charCodeAt(5) === 32 ? 6 : 5));
      buf = '';
      if (data.length) yield data.join('\n');
      data = [];
    }
  };
  for await (const chunk of body) {
    buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* takeLines(false);
  }
  buf += decoder.decode();
  yield* takeLines(true);
}
