/** `switchyard sim`: run the upstream simulator. */
import { parseArgs } from 'node:util';
import { FAULTS, type SimBehavior, type SimFault } from '../sim/behavior.js';
import { createSimulator } from '../sim/server.js';
import { SIM_DIALECTS, isSimDialect } from '../sim/dialects.js';
import { DEFAULT_HARMONY, HARMONY_VARIANTS, parseHarmonyTool, type HarmonySim } from '../sim/completions-route.js';
import type { CliIO } from './io.js';

const HELP = `usage: switchyard sim [--port N] [options]

An OpenAI-compatible upstream for tests and load tests. Every option can also be set per
request with a "sim" object in the body (snake_case keys: ttft_ms, chunks, fault, …) or
x-sim-* headers (x-sim-fault: http_503).

  --port N                 port (default 9000; 0 picks a free one)
  --ttft-ms N              delay before the first byte
  --chunks N               content chunks per streamed answer (default 5)
  --chunk-interval-ms N    delay between chunks
  --text S                 answer text (default: "You said: <last user message>")
  --reasoning S            reasoning text, sent in the "reasoning" field first
  --tool-calls JSON        e.g. '[{"name":"get_weather","arguments":{"city":"Paris"}}]'
  --no-usage               send no usage
  --fault F                ${FAULTS.join(' | ')}
  --fault-rate P           share of requests that get the fault (default 1)
  --fault-after N          stream faults happen after N chunks (default 2)
  --retry-after S          Retry-After seconds sent with http_429 (default 1)
  --models a,b             ids listed by GET /v1/models (and Ollama's GET /api/tags); with it,
                           the Ollama dialect answers other models with a 404, as Ollama does
  --dialect D              answer in a provider's shape: ${SIM_DIALECTS.join(' | ')}
                           (default openai; a /<dialect>/ path prefix picks one per request,
                           e.g. base URL http://127.0.0.1:9000/groq/v1; Ollama: POST /api/chat)
  --cached-tokens N        prompt tokens reported as cache hits

Harmony mode: POST /v1/completions answers with raw gpt-oss text (per request: harmony_analysis,
harmony_final, harmony_preamble, harmony_tool, harmony_variant, chunk_chars, write_bytes).
  --harmony-analysis S     chain-of-thought on the analysis channel
  --harmony-final S        the final answer (default: "You said: <last user message>")
  --harmony-preamble S     a commentary preamble before a tool call
  --harmony-tool JSON      a tool call instead of an answer: '{"name":"get_weather","arguments":{"city":"Paris"}}'
  --harmony-variant V      ${HARMONY_VARIANTS.join(' | ')}
  --chunk-chars N          UTF-16 units per streamed text delta (default 3)
  --write-bytes N          bytes per network write of the stream, 0 = whole events (default 7)
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', short: 'p' }, host: { type: 'string' },
        'ttft-ms': { type: 'string' }, chunks: { type: 'string' }, 'chunk-interval-ms': { type: 'string' },
        text: { type: 'string' }, reasoning: { type: 'string' }, 'tool-calls': { type: 'string' },
        'no-usage': { type: 'boolean' }, fault: { type: 'string' }, 'fault-rate': { type: 'string' },
        'fault-after': { type: 'string' }, 'retry-after': { type: 'string' }, models: { type: 'string' },
        dialect: { type: 'string' }, 'cached-tokens': { type: 'string' },
        'harmony-analysis': { type: 'string' }, 'harmony-final': { type: 'string' }, 'harmony-preamble': { type: 'string' },
        'harmony-tool': { type: 'string' }, 'harmony-variant': { type: 'string' },
        'chunk-chars': { type: 'string' }, 'write-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`switchyard sim: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) { io.stdout.write(HELP); return 0; }
  if (values.fault && !(FAULTS as readonly string[]).includes(values.fault)) {
    io.stderr.write(`switchyard sim: --fault must be one of ${FAULTS.join(', ')}\n`);
    return 2;
  }
  if (values.dialect && !isSimDialect(values.dialect)) {
    io.stderr.write(`switchyard sim: --dialect must be one of ${SIM_DIALECTS.join(', ')}\n`);
    return 2;
  }
  const n = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const behavior: Partial<SimBehavior> = {};
  const set = <K extends keyof SimBehavior>(k: K, v: SimBehavior[K] | undefined) => { if (v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) behavior[k] = v; };
  set('ttftMs', n(values['ttft-ms']));
  set('chunks', n(values.chunks));
  set('chunkIntervalMs', n(values['chunk-interval-ms']));
  set('text', values.text);
  set('reasoning', values.reasoning);
  set('faultRate', n(values['fault-rate']));
  set('faultAfter', n(values['fault-after']));
  set('retryAfter', n(values['retry-after']));
  set('cachedTokens', n(values['cached-tokens']));
  if (values.fault) behavior.fault = values.fault as SimFault;
  if (values['no-usage']) behavior.usage = false;
  if (values['tool-calls']) {
    try {
      const arr = JSON.parse(values['tool-calls']) as Array<{ name: string; arguments: unknown }>;
      behavior.toolCalls = arr.map((t) => ({ name: t.name, arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments ?? {}) }));
    } catch (err) {
      io.stderr.write(`switchyard sim: --tool-calls is not valid JSON: ${(err as Error).message}\n`);
      return 2;
    }
  }
  // Harmony mode defaults (completions-route.ts).
  const harmony: HarmonySim = { ...DEFAULT_HARMONY };
  if (values['harmony-analysis'] !== undefined) harmony.analysis = values['harmony-analysis'];
  if (values['harmony-final'] !== undefined) harmony.final = values['harmony-final'];
  if (values['harmony-preamble'] !== undefined) harmony.preamble = values['harmony-preamble'];
  if (values['harmony-tool'] !== undefined) {
    const tool = parseHarmonyTool(values['harmony-tool']);
    if (!tool) { io.stderr.write('switchyard sim: --harmony-tool must be JSON like {"name":"f","arguments":{}}\n'); return 2; }
    harmony.tool = tool;
  }
  const variant = values['harmony-variant'];
  if (variant !== undefined) {
    if (!(HARMONY_VARIANTS as readonly string[]).includes(variant)) { io.stderr.write(`switchyard sim: --harmony-variant must be one of ${HARMONY_VARIANTS.join(', ')}\n`); return 2; }
    harmony.variant = variant as HarmonySim['variant'];
  }
  const cc = n(values['chunk-chars']);
  if (cc !== undefined && cc >= 1) harmony.chunkChars = Math.floor(cc);
  const wb = n(values['write-bytes']);
  if (wb !== undefined && wb >= 0) harmony.writeBytes = Math.floor(wb);
  behavior.harmony = harmony;
  const sim = createSimulator({ behavior, models: values.models?.split(',').filter(Boolean), dialect: values.dialect });
  const addr = await sim.listen(Number(values.port ?? 9000), values.host ?? '127.0.0.1');
  io.stdout.write(`switchyard sim: listening on http://${addr.address}:${addr.port}/v1\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await sim.close();
  return 0;
}
