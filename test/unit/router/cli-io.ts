/** In-memory stdio for calling CLI `run` functions directly. */
import { PassThrough, Readable } from 'node:stream';

export interface MemoryIO {
  stdin: NodeJS.ReadableStream;
  stdout: PassThrough;
  stderr: PassThrough;
  out(): string;
  err(): string;
}

export function memoryIO(input: string[] = []): MemoryIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  return { stdin: Readable.from(input.map((l) => l + '\n')), stdout, stderr, out: () => out, err: () => err };
}
