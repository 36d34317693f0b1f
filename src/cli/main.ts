/** `switchyard <command>`: dispatches to one file per command, loaded only when used. */
import { processIO, type CliIO } from './io.js';

type Command = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the gateway (--config FILE --port N)', load: async () => (await import('./serve.js')).run },
  models: { summary: 'list models, where each is reachable now, price and context (--config FILE --json)', load: async () => (await import('./models.js')).run },
  sim: { summary: 'run the upstream simulator (--port N, see --help)', load: async () => (await import('./sim.js')).run },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: switchyard <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'switchyard <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr.write(`switchyard: unknown command '${name}'\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  const code = await (await cmd.load())(rest, io);
  if (code !== 0) process.exitCode = code;
}
