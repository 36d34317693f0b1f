/** In-memory stdio for calling CLI `run` functions directly. */
import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

export interface MemoryIO {
  stdin: NodeJS.ReadableStream;
  stdout: PassThrough;
  stderr: PassThrough;
  out(): string;
  err(): string;
}

/** `input`: lines (each gets a newline) or the exact text stdin holds; stdin ends after it. */
export function memoryIO(input: string[] | string = []): MemoryIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const stdin = typeof input === 'string' ? Readable.from([Buffer.from(input, 'utf8')]) : Readable.from(input.map((l) => l + '\n'));
  return { stdin, stdout, stderr, out: () => out, err: () => err };
}

/** Runs a CLI command's `run` on in-memory streams; its exit code and everything it wrote. */
export async function runCli(
  run: (args: string[], io: CliIO) => Promise<number>, args: string[], input: string[] | string = [],
): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(input);
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}
