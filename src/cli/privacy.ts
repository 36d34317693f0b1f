/**
 * `switchyard privacy scan`: reads text on stdin, prints
 * `{"sensitive": bool, "entities": [{"type","start","end"}]}`. Offsets are UTF-16 code units of the
 * input as decoded from UTF-8 (what JavaScript's `String.prototype.slice` takes), `end` exclusive.
 * The values found are never printed, so the output can go to a log.
 */
import { scan } from '../router/privacy/scan.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: switchyard privacy scan < text
  Prints {"sensitive": bool, "entities": [{"type", "start", "end"}]} for the text on stdin.
  Offsets are UTF-16 code units into the text, end exclusive; values are never printed.
  Exit code: 0 when scanned (whether sensitive or not), 2 on a usage error.
`;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (sub !== 'scan' || rest.length > 0) {
    io.stderr.write(sub === undefined ? USAGE : `unknown arguments: ${args.join(' ')}\n${USAGE}`);
    return 2;
  }
  const text = await readAll(io.stdin);
  const result = scan(text);
  io.stdout.write(`${JSON.stringify({ sensitive: result.sensitive, entities: result.entities })}\n`);
  return 0;
}
