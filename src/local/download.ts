/**
 * Resumable HTTP download of one large file (GGUF models are gigabytes). Bytes go to `<dest>.part`; a later
 * call continues it with an HTTP Range request. The size is checked against Content-Length/Content-Range
 * and the SHA-256 against the expected value when one is known; only a verified file is renamed to `dest`.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, statSync, unlinkSync, renameSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Expected SHA-256 (hex); the download fails on a mismatch and the partial file is removed. */
  sha256?: string;
  /** Expected size in bytes, when known ahead (e.g. from the Hugging Face API). */
  size?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | null) => void;
}

export interface DownloadResult { path: string; bytes: number; sha256: string; resumedFrom: number }

export class DownloadError extends Error {}

export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  const doFetch = opts.fetch ?? fetch;
  const part = `${opts.dest}.part`;
  let offset = existsSync(part) ? statSync(part).size : 0;
  if (opts.size !== undefined && offset > opts.size) { unlinkSync(part); offset = 0; }

  const headers: Record<string, string> = { ...opts.headers };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const res = await doFetch(opts.url, { headers, signal: opts.signal, redirect: 'follow' });
  let total: number | null = null;
  if (res.status === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== offset) throw new DownloadError(`${opts.url}: the server resumed at the wrong offset (${res.headers.get('content-range')})`);
    if (m[2] !== '*') total = Number(m[2]);
  } else if (res.status === 416 && offset > 0) {
    // Nothing left to fetch: the part file may already hold the whole file; verification decides.
    await res.body?.cancel();
    total = opts.size ?? offset;
  } else if (res.ok) {
    offset = 0; // the server ignored Range: start over
    const len = res.headers.get('content-length');
    if (len !== null && /^\d+$/.test(len)) total = Number(len);
  } else {
    await res.body?.cancel();
    throw new DownloadError(`${opts.url}: HTTP ${res.status} ${res.statusText}`);
  }
  if (opts.size !== undefined && total !== null && total !== opts.size) {
    await res.body?.cancel();
    throw new DownloadError(`${opts.url}: the server reports ${total} bytes, expected ${opts.size}`);
  }
  total ??= opts.size ?? null;

  const hash = createHash('sha256');
  if (offset > 0) await hashFile(part, hash);
  const resumedFrom = offset;
  let received = offset;
  opts.onProgress?.(received, total);
  if (res.status !== 416 && res.body) {
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        received += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
        opts.onProgress?.(received, total);
      }
    } catch (err) {
      throw new DownloadError(`${opts.url}: interrupted after ${received} bytes; run the command again to resume`, { cause: err });
    } finally {
      out.end();
      await once(out, 'close');
    }
  }

  if (total !== null && received !== total) {
    throw new DownloadError(`${opts.url}: got ${received} of ${total} bytes; run the command again to resume`);
  }
  const digest = hash.digest('hex');
  if (opts.sha256 && digest !== opts.sha256.toLowerCase()) {
    unlinkSync(part); // the bytes are wrong somewhere; resuming would keep them
    throw new DownloadError(`${opts.url}: SHA-256 mismatch: expected ${opts.sha256.toLowerCase()}, got ${digest}; the partial file was removed`);
  }
  renameSync(part, opts.dest);
  return { path: opts.dest, bytes: received, sha256: digest, resumedFrom };
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}
