/** `switchyard serve`: start the gateway from a config file, or from discovered defaults. */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { discoverDefaults } from '../config/discover.js';
import { boot } from '../server/boot.js';
import type { CliIO } from './io.js';

const HELP = `usage: switchyard serve [--config FILE] [--port N] [--host H] [--db PATH]

Starts the OpenAI-compatible gateway. Without --config, providers are discovered from
environment variables (OPENROUTER_API_KEY, GROQ_API_KEY, …) and local engines on their usual
ports, and requests are logged to ./data/switchyard.db. See docs/config.md.
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  // V8 starts allocating an object straight into the old generation once most objects from its
  // allocation site survived a young collection. A burst of long streams teaches it that about
  // the per-request objects, and afterwards ordinary short requests fill the old generation:
  // a major GC every few seconds (12 KB promoted per request, 10–15 ms marking steps) until it
  // unlearns. A gateway's per-request objects die young, so that guess is turned off.
  setFlagsFromString('--no-allocation-site-pretenuring');
  // undici parses HTTP with llhttp compiled to WebAssembly. Once a gateway is busy, V8 re-compiles
  // llhttp's main parser function (33 KB of wasm) with its optimizing compiler: measured here,
  // 440–560 ms of CPU on the gateway's core and a 29 MB compiler zone (42 MB allocated in all),
  // at the moment load arrives, which was the highest RSS sample with 1,000 open streams. The
  // baseline compiler's code costs 2–5% more CPU per request (two gateways on one core under load
  // at once, both orders, 6 rounds each); wasm stays on it for the steadier memory. Read when a
  // wasm function is compiled, so setting it here (before the first upstream connection) is in time.
  setFlagsFromString('--liftoff-only');
  // V8 lets the old generation grow to 2–4× what survived the last mark-compact before it runs the
  // next one. A gateway's live heap is small (~18 MB) and what it promotes under load is garbage
  // (requests that outlived two young collections), so after a minute at saturation the old
  // generation held ~40 MB, half of it dead, and RSS stayed ~20 MB above what the live heap
  // needs until V8's memory reducer ran 8 s into the next idle spell. Growing by half keeps the
  // headroom near V8's 8 MB minimum step: measured here, 5–10 MB less RSS after load and with
  // 1,000 streams opened right after it, for a mark-compact (~5 ms on this heap) about every 5 s
  // at saturation instead of every 10. Read whenever V8 sets the next limit.
  setFlagsFromString('--heap-growing-percent=50');
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        db: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`switchyard serve: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(HELP); return 0; }

  let config;
  try {
    if (values.config) {
      config = loadConfigFile(values.config);
    } else {
      const found = await discoverDefaults();
      for (const line of found.report) io.stdout.write(`switchyard: ${line}\n`);
      config = found.config;
    }
  } catch (err) {
    io.stderr.write(`switchyard: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 1;
  }
  const port = Number(values.port ?? process.env.PORT ?? config.server?.port ?? 8642);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`switchyard serve: --port must be an integer 0-65535, got '${values.port}'\n`);
    return 2;
  }
  const host = values.host ?? config.server?.host ?? '127.0.0.1';
  let booted;
  try {
    booted = await boot({ config, configPath: values.config, sqlitePath: values.db });
  } catch (err) {
    io.stderr.write(`switchyard: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  const { gateway, registry } = booted;
  let addr;
  try {
    addr = await gateway.listen(port, host);
  } catch (err) {
    io.stderr.write(`switchyard: cannot listen on ${host}:${port}: ${(err as Error).message}\n`);
    await gateway.close(0);
    return 1;
  }
  // A crash must not lose usage records of answers already sent: write the queue, then exit.
  process.once('uncaughtException', (err) => {
    io.stderr.write(`switchyard: fatal: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    const exit = () => process.exit(70);
    setTimeout(exit, 2_000).unref();
    booted.usage.flush().then(exit, exit);
  });
  if (!gateway.governance.authRequired) io.stdout.write('switchyard: no master key (SWITCHYARD_MASTER_KEY) and no virtual keys: the gateway is open to anyone who can reach it\n');
  io.stdout.write(`switchyard: listening on http://${addr.address}:${addr.port}/v1 with ${registry.models.size} model(s): ${[...registry.models.keys()].join(', ') || '(none yet)'}\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.stdout.write(`switchyard: ${signal}: draining in-flight requests, flushing the request log\n`);
      void gateway.close(Number(process.env.SWITCHYARD_DRAIN_MS ?? config.server?.drain_ms ?? 10_000)).then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  io.stdout.write('switchyard: stopped\n');
  return 0;
}
