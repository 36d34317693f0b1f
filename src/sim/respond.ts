import type { ServerResponse } from 'node:http';

/** A non-streaming simulator answer; the `malformed` fault sends truncated JSON instead. */
export function answerJson(res: ServerResponse, out: Record<string, unknown>, malformed: boolean): void {
  const s = malformed ? '{"id":"broken", "choices": [' : JSON.stringify(out);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}
