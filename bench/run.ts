/**
 * The gateway benchmark (`npm run bench`): direct to the simulator, through Switchyard and through
 * Portkey's open-source gateway, side by side in one run on the same simulator. Each gateway is
 * pinned alone on CPU 1; the simulators and the load generator share CPU 0. Every measurement is
 * repeated (3 runs; `--quick` for 1) and the tables show medians with the range over runs.
 * Prints markdown and writes it into docs/benchmarks.md (`--no-write` to skip).
 *
 *   npm run bench [-- --quick] [--runs N] [--no-wrk] [--no-write]
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster, type GatewayName, type Name } from './cluster.js';
import { burstStreams, closedLoop, openLoop, type ClosedLoopResult, type Target } from './load.js';
import { collectGarbage, cpuBusyShare, cpuSeconds, cpuTimes, machine, memStatus, otherLoad, pinSelf } from './procs.js';
import { renderReport, writeReport, type BurstRow, type Mode, type RateRow, type Rep, type SharedRow, type ThroughputRow } from './gateway-report.js';
import { percentile } from './stats.js';
import { hasWrk, wrkClosedLoop } from './wrk.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const LOAD_CPU = '0';
const GATEWAY_CPU = '1';
const CONNECTIONS = 50;
const RATES = [200, 1000] as const;
const BURST_STREAMS = 1000;
// ~400 characters of answer, sent as 20 chunks of ~20 characters.
const TEXT = ('Switchyard routes each request to the cheapest open-weight model that can do the job, '
  + 'keeps private data on local hardware, and accounts every token and cent per key. ').repeat(3).slice(0, 400);

interface Settings { runs: number; quick: boolean; write: boolean; wrk: boolean; throughputS: number; slices: number; rateS: number; warmupS: number; rateWarmupS: number }

function settings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, runs: { type: 'string' }, 'no-wrk': { type: 'boolean' }, 'no-write': { type: 'boolean' } },
  });
  const quick = values.quick ?? false;
  return {
    runs: values.runs ? Math.max(1, Number(values.runs)) : quick ? 1 : 3,
    quick,
    write: !values['no-write'],
    wrk: !values['no-wrk'] && hasWrk(),
    throughputS: quick ? 4 : 3,
    // Maximum throughput is measured in slices, the gateways taking turns (the order reversed
    // each slice), and each figure is the median of its slices: this machine has slow spells of a
    // few seconds, and one that fell on a single 6 s phase moved a run's ratio by 2x.
    slices: quick ? 1 : 3,
    rateS: quick ? 4 : 5,
    warmupS: 1,
    // A gateway that just came out of a 50-connection phase (or a pause) is still re-tiering code
    // and resizing its heap for a second or two: fixed-rate latency is measured in steady state.
    rateWarmupS: 3,
  };
}

const body = (model: string, stream: boolean) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'Tell me about Switchyard in a few sentences.' }], stream });
const BODIES: Record<Mode, string> = { json: body('bench', false), stream: body('bench', true) };

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function closedLoopRun(s: Settings, target: Target, mode: Mode, durationS: number): Promise<ClosedLoopResult> {
  if (s.wrk) return wrkClosedLoop({ target, body: BODIES[mode], connections: CONNECTIONS, durationS, cpu: LOAD_CPU });
  return closedLoop({ target, body: BODIES[mode], stream: mode === 'stream', connections: CONNECTIONS, durationS, warmupS: 0 });
}

async function throughputSlice(s: Settings, c: Cluster, name: 'direct' | GatewayName, mode: Mode): Promise<ThroughputRow> {
  c.alone(name);
  const target = c.targets[name]!;
  await closedLoopRun(s, target, mode, s.warmupS); // connections, JIT, and the heap after a pause
  const gw = name === 'direct' ? null : c.gateways[name]!;
  const gwCpu0 = gw ? cpuSeconds(gw.pid) : 0;
  const simCpu0 = cpuSeconds(c.sim.pid);
  const cores0 = cpuTimes();
  const t0 = performance.now();
  const r = await closedLoopRun(s, target, mode, s.throughputS);
  const wall = (performance.now() - t0) / 1000;
  const busy = cpuBusyShare(cores0, cpuTimes());
  const gwCpu = gw ? cpuSeconds(gw.pid) - gwCpu0 : NaN;
  const simCpu = cpuSeconds(c.sim.pid) - simCpu0;
  if (r.errors) log(`${name} ${mode} throughput: ${r.errors} errors, first: ${r.firstError}`);
  return {
    rps: r.rps, errors: r.errors, tool: r.tool,
    cpuMsPerReq: gw && r.requests ? (gwCpu * 1000) / r.requests : NaN,
    gatewayCoreShare: gw ? gwCpu / wall : NaN,
    simCoreShare: simCpu / wall,
    loadCpuBusy: busy[Number(LOAD_CPU)] ?? NaN,
  };
}

/**
 * CPU per request of the gateways running at the same time on the gateway core, each under its
 * own closed loop of half the connections: the host's slow spells then fall on all of them alike,
 * which separately timed phases cannot promise. Medians over slices; the ratio is taken per slice.
 */
async function sharedCore(s: Settings, c: Cluster, mode: Mode, rep: number): Promise<SharedRow | undefined> {
  if (!c.gateways.portkey || !c.gateways.switchyard || !s.wrk) return undefined;
  const names = ['switchyard', 'portkey'] as const;
  c.together(names);
  const run = (d: number) => Promise.all(names.map((n) =>
    wrkClosedLoop({ target: c.targets[n]!, body: BODIES[mode], connections: CONNECTIONS / 2, durationS: d, cpu: LOAD_CPU })));
  const sy: number[] = [], pk: number[] = [], ratio: number[] = [];
  for (let k = 0; k < s.slices; k++) {
    log(`run ${rep}: switchyard and portkey ${mode} together, slice ${k + 1}/${s.slices}`);
    await run(s.warmupS);
    const cpu0 = names.map((n) => cpuSeconds(c.gateways[n]!.pid));
    const r = await run(s.throughputS);
    const ms = names.map((n, i) => (r[i]!.requests ? ((cpuSeconds(c.gateways[n]!.pid) - cpu0[i]!) * 1000) / r[i]!.requests : NaN));
    sy.push(ms[0]!); pk.push(ms[1]!); ratio.push(ms[1]! / ms[0]!);
  }
  return { switchyardCpuMs: percentile(sy, 50), portkeyCpuMs: percentile(pk, 50), ratio: percentile(ratio, 50) };
}

/** Maximum throughput of every target in `names`, in interleaved slices; each figure is the median of its slices. */
async function throughput(s: Settings, c: Cluster, names: readonly ('direct' | GatewayName)[], mode: Mode, rep: number): Promise<Partial<Record<'direct' | GatewayName, ThroughputRow>>> {
  const slices = new Map<'direct' | GatewayName, ThroughputRow[]>(names.map((n) => [n, []]));
  for (let k = 0; k < s.slices; k++) {
    for (const name of k % 2 ? [...names].reverse() : names) {
      log(`run ${rep}: ${name} ${mode} max throughput, slice ${k + 1}/${s.slices}`);
      slices.get(name)!.push(await throughputSlice(s, c, name, mode));
    }
  }
  const out: Partial<Record<'direct' | GatewayName, ThroughputRow>> = {};
  for (const [name, rows] of slices) {
    const med = (f: (x: ThroughputRow) => number) => percentile(rows.map(f), 50);
    out[name] = {
      rps: med((x) => x.rps), errors: rows.reduce((a, x) => a + x.errors, 0), tool: rows[0]!.tool,
      cpuMsPerReq: med((x) => x.cpuMsPerReq), gatewayCoreShare: med((x) => x.gatewayCoreShare),
      simCoreShare: Math.max(...rows.map((x) => x.simCoreShare)), loadCpuBusy: Math.max(...rows.map((x) => x.loadCpuBusy)),
    };
  }
  return out;
}

async function fixedRate(s: Settings, c: Cluster, name: Name, mode: Mode, rate: number, maxRps: number): Promise<RateRow> {
  // Open loop past a gateway's capacity only grows its queue without bound: say so instead.
  if (name !== 'direct' && maxRps < rate * 1.25) return { saturated: true, maxRps, p50: NaN, p99: NaN, ttft50: NaN, errors: 0, achieved: NaN, lagP99: NaN };
  c.alone(name);
  collectGarbage();
  const r = await openLoop({ target: c.targets[name]!, body: BODIES[mode], stream: mode === 'stream', rate, durationS: s.rateS, warmupS: s.rateWarmupS });
  if (r.errors) log(`${name} ${mode} @${rate}/s: ${r.errors} errors, first: ${r.firstError}`);
  const lat = r.samples.map((x) => x.latency);
  return {
    saturated: false, maxRps,
    p50: percentile(lat, 50), p99: percentile(lat, 99),
    ttft50: mode === 'stream' ? percentile(r.samples.map((x) => x.ttft), 50) : NaN,
    errors: r.errors, achieved: r.achieved, lagP99: r.lagP99,
  };
}

async function burst(c: Cluster, name: GatewayName): Promise<BurstRow> {
  c.alone(name);
  const pid = c.gateways[name]!.pid;
  let peakRssMb = 0;
  const r = await burstStreams({
    target: c.slowTargets[name]!, body: body('bench-slow', true), n: BURST_STREAMS, sampleMs: 50,
    onSample: () => { peakRssMb = Math.max(peakRssMb, memStatus(pid).rssMb); },
  });
  if (r.errors) log(`${name} ${BURST_STREAMS} streams: ${r.errors} errors, first: ${r.firstError}`);
  return { peakRssMb, afterRssMb: memStatus(pid).rssMb, peakOpen: r.peakOpen, ok: r.ok, errors: r.errors, seconds: r.seconds };
}

async function oneRep(s: Settings, c: Cluster, rep: number): Promise<Rep> {
  const names = (['direct', 'switchyard', 'portkey'] as const).filter((n) => c.targets[n]);
  const out: Rep = { throughput: { json: {}, stream: {} }, rate: { json: {}, stream: {} }, burst: {}, load: otherLoad(Object.values(c.gateways).map((p) => p!.pid)) };
  // Many open streams first: in run 1 this is the gateway's memory for them alone, in later runs
  // it includes whatever heap the earlier load left behind.
  for (const name of Object.keys(c.gateways) as GatewayName[]) {
    log(`run ${rep}: ${name} with ${BURST_STREAMS} concurrent streams`);
    out.burst[name] = await burst(c, name);
  }
  for (const mode of ['json', 'stream'] as const) {
    out.throughput[mode] = await throughput(s, c, names, mode, rep);
    const shared = await sharedCore(s, c, mode, rep);
    if (shared) (out.shared ??= {})[mode] = shared;
    for (const rate of RATES) {
      const rows: Partial<Record<Name, RateRow>> = {};
      for (const name of [...names, 'floor'] as const) {
        log(`run ${rep}: ${name} ${mode} at ${rate} req/s`);
        rows[name] = await fixedRate(s, c, name, mode, rate, out.throughput[mode][name]?.rps ?? Number.POSITIVE_INFINITY);
      }
      out.rate[mode][rate] = rows;
    }
  }
  return out;
}

async function main(): Promise<number> {
  const s = settings(process.argv.slice(2));
  const pinned = pinSelf(LOAD_CPU);
  const m = machine();
  log(`${m.cpus} CPUs (${m.model}), Node ${m.node}, load average ${m.load}; ${s.runs} run(s); load generator: ${s.wrk ? 'wrk + ' : ''}node (raw HTTP/1.1 open loop)`);
  if (!s.wrk) log('wrk not found (or --no-wrk): maximum throughput uses the Node closed-loop generator, which costs more CPU on the load core');
  const before = otherLoad([process.pid]);
  const c = await startCluster({ repoRoot, loadCpu: LOAD_CPU, gatewayCpu: GATEWAY_CPU, text: TEXT, chunks: 20, slowChunkIntervalMs: 100 });
  const stopAll = () => { void c.stop().then(() => process.exit(130)); };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  const reps: Rep[] = [];
  const started = performance.now();
  try {
    for (let i = 1; i <= s.runs; i++) reps.push(await oneRep(s, c, i));
    const peakHwmMb: Partial<Record<GatewayName, number>> = {};
    for (const [name, p] of Object.entries(c.gateways) as Array<[GatewayName, { pid: number }]>) peakHwmMb[name] = memStatus(p.pid).hwmMb;
    const md = renderReport({
      machine: m, runs: s.runs, quick: s.quick, pinned, reps, idleRssMb: c.idleRssMb, peakHwmMb, notes: c.notes,
      loadBefore: before, minutes: (performance.now() - started) / 60_000,
      setup: {
        loadCpu: LOAD_CPU, gatewayCpu: GATEWAY_CPU, connections: CONNECTIONS, throughputS: s.throughputS, slices: s.slices, rateS: s.rateS, rateWarmupS: s.rateWarmupS,
        rates: [...RATES], burst: BURST_STREAMS, textChars: TEXT.length, closedLoopTool: s.wrk ? `wrk -t1 -c${CONNECTIONS}` : `Node/undici, ${CONNECTIONS} connections`,
      },
    });
    process.stdout.write(md.text);
    if (s.write) {
      writeReport(join(repoRoot, 'docs', 'benchmarks.md'), md.text);
      log('wrote docs/benchmarks.md');
    }
    // A benchmark reports; it never fails a build (the verdicts are in the output).
    return 0;
  } finally {
    await c.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
