/**
 * The stack the gpt-oss end-to-end tests drive: the simulator in harmony mode (raw gpt-oss text on
 * `/v1/completions`) → the real gateway with one `harmony-raw` deployment per scenario → the
 * official `openai` client. Scenarios are models whose deployment has its own `extra_body` (mostly
 * `sim` overrides), so one simulator and one gateway serve a whole test file.
 */
import OpenAI from 'openai';
import { startGateway, startSim, type Proc } from '../../helpers/procs.js';

export { EXPOSED, HARMONY_CONTROL, collect, reasoningOf } from '../../helpers/chat-stream.js';

export const ANALYSIS = 'The user wants a greeting. Café 🎉 first, then answer.';
export const FINAL = 'Bonjour ! Voilà ta réponse 🎉 — naïve and exact.';

export interface HarmonyStack {
  sim: Proc;
  gw: Proc;
  client: OpenAI;
  /** The body the simulator received last (its `prompt` is the harmony text the gateway rendered). */
  lastUpstreamBody(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts a simulator (analysis and final answer as above) and a gateway serving each scenario (model name → extra_body). */
export async function startHarmonyStack(scenarios: Record<string, Record<string, unknown>>, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<HarmonyStack> {
  // Small deltas and 7-byte writes: control tokens, surrogate pairs and UTF-8 characters are all cut.
  const sim = await startSim(['--harmony-analysis', ANALYSIS, '--harmony-final', FINAL, '--chunk-chars', '3', '--write-bytes', '7']);
  let gw: Proc;
  try {
    gw = await startGateway({
      providers: [{ id: 'oss-engine', type: 'harmony-raw', base_url: sim.url }],
      models: Object.entries(scenarios).map(([name, extra]) => ({
        name,
        deployments: [{ provider: 'oss-engine', model: 'gpt-oss-20b', ...(Object.keys(extra).length ? { extra_body: extra } : {}) }],
      })),
    }, { env: opts.env });
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    sim,
    gw,
    client: new OpenAI({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 }),
    lastUpstreamBody: async () => ((await (await fetch(`${sim.origin}/sim/stats`)).json()) as { lastBody: Record<string, unknown> }).lastBody,
    stop: async () => { await gw.stop(); await sim.stop(); },
  };
}
