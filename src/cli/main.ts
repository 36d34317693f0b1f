/** `switchyard <command>`: dispatches to one file per command, loaded only when used. */
import { processIO, type CliIO } from './io.js';

type Command = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the gateway (--config FILE --port N)', load: async () => (await import('./serve.js')).run },
  models: { summary: 'list models, where each is reachable now, price and context (--config FILE --json)', load: async () => (await import('./models.js')).run },
  sim: { summary: 'run the upstream simulator (--port N, see --help)', load: async () => (await import('./sim.js')).run },
  keys: { summary: 'create, list and revoke virtual keys', load: async () => (await import('./keys.js')).run },
  spend: { summary: 'spend per key, model, provider or day', load: async () => (await import('./spend.js')).run },
  pull: { summary: 'download a GGUF model and add it to the config', load: async () => (await import('./pull.js')).run },
  harmony: { summary: 'render or parse gpt-oss harmony text (render|parse)', load: async () => (await import('./harmony.js')).run },
  router: { summary: 'train the reflex/thinking router or score prompts (train|score)', load: async () => (await import('./router.js')).run },
  privacy: { summary: 'scan text on stdin for personal data (scan)', load: async () => (await import('./privacy.js')).run },
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
