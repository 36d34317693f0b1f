/**
 * Turns the gateway benchmark's repeated runs into markdown: medians with the range over runs,
 * "added" figures as differences against the direct run of the same repetition (so drift in the
 * machine's load between repetitions cancels), and PASS/FAIL against the targets of issue 2.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { GatewayName, Name } from './cluster.js';
import type { Machine } from './procs.js';
import { median, signedSpread, withSpread } from './stats.js';

export type Mode = 'json' | 'stream';

export interface ThroughputRow {
  rps: number;
  errors: number;
  tool: string;
  cpuMsPerReq: number;
  /** Share of one core the gateway used during the phase. */
  gatewayCoreShare: number;
  simCoreShare: number;
  /** How busy the load generator's core (simulator + load generator) was: 1 = saturated. */
  loadCpuBusy: number;
}

/** CPU per request with Switchyard and Portkey running at once on the gateway core (bench/run.ts sharedCore). */
export interface SharedRow {
  switchyardCpuMs: number;
  portkeyCpuMs: number;
  /** Portkey ÷ Switchyard, the median of the per-slice ratios. */
  ratio: number;
}

export interface RateRow {
  saturated: boolean;
  maxRps: number;
  p50: number;
  p99: number;
  ttft50: number;
  errors: number;
  achieved: number;
  lagP99: number;
}

export interface BurstRow { peakRssMb: number; afterRssMb: number; peakOpen: number; ok: number; errors: number; seconds: number }

export interface Rep {
  throughput: Record<Mode, Partial<Record<Name, ThroughputRow>>>;
  rate: Record<Mode, Record<number, Partial<Record<Name, RateRow>>>>;
  burst: Partial<Record<GatewayName, BurstRow>>;
  shared?: Partial<Record<Mode, SharedRow>>;
  /** Other busy processes when the repetition started. */
  load: string;
}

export interface ReportInput {
  machine: Machine;
  runs: number;
  quick: boolean;
  pinned: boolean;
  reps: Rep[];
  idleRssMb: Partial<Record<GatewayName, number>>;
  peakHwmMb: Partial<Record<GatewayName, number>>;
  notes: string[];
  loadBefore: string;
  minutes: number;
  setup: {
    loadCpu: string; gatewayCpu: string; connections: number; throughputS: number; slices: number; rateS: number; rateWarmupS: number;
    rates: number[]; burst: number; textChars: number; closedLoopTool: string;
  };
}

const MODE_LABEL: Record<Mode, string> = { json: 'non-streaming', stream: 'streaming (20 chunks)' };
const TARGET_ADDED_P99_MS = 1;
const TARGET_RATIO = 8;
const TARGET_RSS_MB = 150;

export function renderReport(r: ReportInput): { text: string; allPass: boolean } {
  const { reps } = r;
  const has = (n: Name) => reps.some((x) => x.throughput.json[n]);
  const gws = (['switchyard', 'portkey'] as const).filter(has);
  const L: string[] = [];
  const pick = <T>(f: (rep: Rep) => T | undefined): T[] => reps.map(f).filter((x): x is T => x !== undefined);

  L.push(`Measured ${r.machine.date}: ${r.machine.cpus} vCPU (${r.machine.model}), Node ${r.machine.node}; load average at start ${r.machine.load}`
    + ` (other busy processes: ${r.loadBefore}). ${r.runs} run${r.runs > 1 ? 's' : ''}${r.quick ? ' (--quick)' : ''}, ${r.minutes.toFixed(1)} min in all.`);
  L.push('');
  L.push(`Setup: each gateway ${r.pinned ? `pinned alone to CPU ${r.setup.gatewayCpu} (\`taskset -c ${r.setup.gatewayCpu}\`; the gateway not being measured is paused with SIGSTOP, so its background work never runs on the measured core)` : 'unpinned (taskset missing)'}; `
    + `the simulator (\`switchyard sim --chunks 20\`, ${r.setup.textChars}-character answer) and the load generator on CPU ${r.setup.loadCpu}. `
    + `Maximum throughput: closed loop, ${r.setup.closedLoopTool}, ${r.setup.slices > 1 ? `${r.setup.slices} slices of ${r.setup.throughputS} s per run, each after 1 s of warm-up, the targets taking turns (order reversed each slice), median of the slices` : `${r.setup.throughputS} s after 1 s of warm-up`}. Fixed rates: open loop in Node (raw keep-alive HTTP/1.1 client, bench/raw-http.ts; a full GC of the generator before each phase), `
    + `sends evenly spaced, latency timed with \`performance.now()\`, ${r.setup.rateS} s after ${r.setup.rateWarmupS} s of warm-up at the same rate. `
    + `Figures are medians over runs with [min–max] across runs; "added" is gateway minus direct within the same run.`);
  L.push('');

  // Throughput
  L.push(`### Maximum throughput at ${r.setup.connections} connections (req/s)`);
  L.push('');
  L.push(`| | Direct | ${gws.map(title).join(' | ')} |${gws.length === 2 ? ' Switchyard ÷ Portkey |' : ''}`);
  L.push(`|---|---:|${gws.map(() => '---:|').join('')}${gws.length === 2 ? '---:|' : ''}`);
  const ratios: Record<Mode, number[]> = { json: [], stream: [] };
  for (const mode of ['json', 'stream'] as const) {
    const cells = (['direct', ...gws] as Name[]).map((n) => withSpread(pick((x) => x.throughput[mode][n]?.rps), 0));
    if (gws.length === 2) {
      ratios[mode] = pick((x) => {
        const a = x.throughput[mode].switchyard?.rps;
        const b = x.throughput[mode].portkey?.rps;
        return a && b ? a / b : undefined;
      });
      cells.push(`${withSpread(ratios[mode], 1)}×`);
    }
    L.push(`| ${MODE_LABEL[mode]} | ${cells.join(' | ')} |`);
  }
  L.push('');

  // CPU: on a shared machine a gateway may not get its whole core, so CPU per request is the
  // steadier measure of single-core capacity (1000 / ms per request = req/s on a dedicated core).
  const cpuRatios: Record<Mode, number[]> = { json: [], stream: [] };
  L.push('### CPU at maximum throughput');
  L.push('');
  const both = gws.length === 2;
  L.push(`| | ${gws.map((g) => `${title(g)} CPU ms/request | ${title(g)} core use`).join(' | ')} |${both ? ' Portkey ÷ Switchyard CPU/request |' : ''} simulator core use (highest) | CPU ${r.setup.loadCpu} busy (highest) |`);
  L.push(`|---|${gws.map(() => '---:|---:|').join('')}${both ? '---:|' : ''}---:|---:|`);
  for (const mode of ['json', 'stream'] as const) {
    const cells = gws.flatMap((g) => [
      withSpread(pick((x) => x.throughput[mode][g]?.cpuMsPerReq), 3),
      pct(median(pick((x) => x.throughput[mode][g]?.gatewayCoreShare))),
    ]);
    if (both) {
      cpuRatios[mode] = pick((x) => {
        const a = x.throughput[mode].switchyard?.cpuMsPerReq;
        const b = x.throughput[mode].portkey?.cpuMsPerReq;
        return a && b ? b / a : undefined;
      });
      cells.push(`${withSpread(cpuRatios[mode], 1)}×`);
    }
    const simMax = Math.max(...pick((x) => Object.values(x.throughput[mode]).map((t) => t!.simCoreShare)).flat());
    const busyMax = Math.max(...pick((x) => Object.values(x.throughput[mode]).map((t) => t!.loadCpuBusy)).flat());
    L.push(`| ${MODE_LABEL[mode]} | ${cells.join(' | ')} | ${pct(simMax)} | ${pct(busyMax)} |`);
  }
  L.push('');
  const sharedRatios: Partial<Record<Mode, number[]>> = {};
  if (reps.some((x) => x.shared)) {
    L.push(`Both gateways at once on CPU ${r.setup.gatewayCpu}, each under its own \`wrk -c${r.setup.connections / 2}\` (the host's slow spells fall on both alike; medians of the slices in each run, then over runs):`);
    L.push('');
    L.push('| | Switchyard CPU ms/request | Portkey CPU ms/request | Portkey ÷ Switchyard |');
    L.push('|---|---:|---:|---:|');
    for (const mode of ['json', 'stream'] as const) {
      sharedRatios[mode] = pick((x) => x.shared?.[mode]?.ratio);
      L.push(`| ${MODE_LABEL[mode]} | ${withSpread(pick((x) => x.shared?.[mode]?.switchyardCpuMs), 3)} | ${withSpread(pick((x) => x.shared?.[mode]?.portkeyCpuMs), 3)} | ${withSpread(sharedRatios[mode]!, 1)}× |`);
    }
    L.push('');
  }

  // Latency
  L.push('### Latency at fixed request rates (ms)');
  L.push('');
  const withFloor = reps.some((x) => x.rate.json[r.setup.rates[0]]?.floor);
  L.push(`| | rate | direct p50 | direct p99 | ${gws.map((g) => `${title(g)} added p50 | ${title(g)} added p99`).join(' | ')} |${withFloor ? ' floor added p50 | floor added p99 |' : ''}`);
  L.push(`|---|---:|---:|---:|${gws.map(() => '---:|---:|').join('')}${withFloor ? '---:|---:|' : ''}`);
  const added = (mode: Mode, rate: number, g: GatewayName | 'floor', f: (x: RateRow) => number): number[] | 'saturated' => {
    const rows = pick((x) => {
      const d = x.rate[mode][rate]?.direct;
      const v = x.rate[mode][rate]?.[g];
      return d && v ? { d, v } : undefined;
    });
    if (rows.length && rows.every((x) => x.v.saturated)) return 'saturated';
    return rows.filter((x) => !x.v.saturated).map((x) => f(x.v) - f(x.d));
  };
  const addedCell = (v: number[] | 'saturated', mode: Mode, g: GatewayName | 'floor'): string =>
    v === 'saturated' ? `overloaded (max ${withSpread(pick((x) => x.throughput[mode][g]?.rps), 0)} req/s)` : signedSpread(v, 2);
  for (const mode of ['json', 'stream'] as const) {
    for (const rate of r.setup.rates) {
      const d = (f: (x: RateRow) => number) => withSpread(pick((x) => { const v = x.rate[mode][rate]?.direct; return v ? f(v) : undefined; }), 2);
      const cells = [...gws, ...(withFloor ? ['floor' as const] : [])].flatMap((g) => [addedCell(added(mode, rate, g, (x) => x.p50), mode, g), addedCell(added(mode, rate, g, (x) => x.p99), mode, g)]);
      L.push(`| ${MODE_LABEL[mode]} | ${rate} | ${d((x) => x.p50)} | ${d((x) => x.p99)} | ${cells.join(' | ')} |`);
    }
  }
  L.push('');
  L.push('Time to first token, streaming (first non-empty content delta, p50, ms):');
  L.push('');
  L.push(`| rate | direct | ${gws.map((g) => `${title(g)} added`).join(' | ')} |`);
  L.push(`|---:|---:|${gws.map(() => '---:|').join('')}`);
  for (const rate of r.setup.rates) {
    const d = withSpread(pick((x) => x.rate.stream[rate]?.direct?.ttft50), 2);
    L.push(`| ${rate} | ${d} | ${gws.map((g) => addedCell(added('stream', rate, g, (x) => x.ttft50), 'stream', g)).join(' | ')} |`);
  }
  L.push('');
  const lag = Math.max(...pick((x) => Object.values(x.rate).flatMap((m) => Object.values(m).flatMap((row) => Object.values(row).map((v) => v!.lagP99)))).flat().filter((v) => !Number.isNaN(v)));
  L.push(`Scheduler lateness of the open-loop sends (p99, worst phase): ${lag.toFixed(2)} ms; latency is timed from the actual send.`);
  if (withFloor) {
    L.push('"floor" is bench/floor-proxy.ts, pinned and paused like the gateways: node:http in front of an undici pool with nothing in '
      + 'between, the least a Node gateway can add on this machine (its second process, its core, one more loopback hop).');
  }
  const busy = Number(r.machine.load.split(' ')[0]) > r.machine.cpus;
  if (lag > 5 || busy) {
    // p99 needs the gateway to be scheduled within a fraction of a millisecond; with other work
    // on its core, the tail measures the machine, not the gateway.
    L.push(`**The machine was busy** (load average ${r.machine.load} on ${r.machine.cpus} CPUs, the load generator itself up to ${lag.toFixed(0)} ms late): `
      + 'p99 figures measure CPU contention more than the gateways; rerun on a quiet machine to judge the p99 target. '
      + 'Throughput ratios and CPU per request are the steadier figures here.');
  }
  L.push('');

  // Memory
  L.push(`### Memory (MB)`);
  L.push('');
  L.push(`| | ${gws.map(title).join(' | ')} |`);
  L.push(`|---|${gws.map(() => '---:|').join('')}`);
  L.push(`| RSS at idle, after start-up | ${gws.map((g) => fmt(r.idleRssMb[g], 0)).join(' | ')} |`);
  L.push(`| RSS with ${r.setup.burst} streams open at once (highest sample; run 1 on a fresh process) | ${gws.map((g) => withSpread(pick((x) => x.burst[g]?.peakRssMb), 0)).join(' | ')} |`);
  L.push(`| streams open at once, seen by the client (highest) | ${gws.map((g) => withSpread(pick((x) => x.burst[g]?.peakOpen), 0)).join(' | ')} |`);
  L.push(`| streams completed / failed (all runs) | ${gws.map((g) => `${sum(pick((x) => x.burst[g]?.ok))} / ${sum(pick((x) => x.burst[g]?.errors))}`).join(' | ')} |`);
  L.push(`| peak RSS over the whole run (VmHWM) | ${gws.map((g) => fmt(r.peakHwmMb[g], 0)).join(' | ')} |`);
  L.push('');

  // Errors and notes
  const errs = pick((x) => [
    ...Object.values(x.throughput).flatMap((m) => Object.entries(m).map(([n, v]) => [n, v!.errors] as const)),
    ...Object.values(x.rate).flatMap((m) => Object.values(m).flatMap((row) => Object.entries(row).map(([n, v]) => [n, v!.errors] as const))),
  ]).flat();
  const errTotals = new Map<string, number>();
  for (const [n, e] of errs) errTotals.set(n, (errTotals.get(n) ?? 0) + e);
  L.push(`Failed requests during throughput and latency phases: ${[...errTotals].map(([n, e]) => `${n} ${e}`).join(', ')}.`);
  L.push(`Other busy processes at the start of each run: ${reps.map((x, i) => `run ${i + 1}: ${x.load}`).join('; ')}.`);
  for (const n of r.notes) L.push(n);
  L.push('');

  // Targets
  let allPass = true;
  const verdict = (ok: boolean | null) => {
    if (ok === false) allPass = false;
    return ok === null ? 'n/a ' : ok ? 'PASS' : 'FAIL';
  };
  L.push('### Targets');
  L.push('');
  const p99 = added('json', 1000, 'switchyard', (x) => x.p99);
  const p99m = p99 === 'saturated' ? NaN : median(p99);
  const floorP99 = withFloor ? added('json', 1000, 'floor', (x) => x.p99) : 'saturated';
  const floorNote = floorP99 === 'saturated' || floorP99.length === 0 ? '' : ` (the floor proxy in the same runs: ${signedSpread(floorP99, 2)} ms)`;
  L.push(`- ${verdict(Number.isNaN(p99m) ? false : p99m <= TARGET_ADDED_P99_MS)} Switchyard adds ≤ ${TARGET_ADDED_P99_MS} ms at p99, 1,000 req/s non-streaming: ${p99 === 'saturated' ? 'overloaded' : `${signedSpread(p99, 2)} ms`}${floorNote}`);
  for (const mode of ['json', 'stream'] as const) {
    const m = median(ratios[mode]);
    L.push(`- ${verdict(Number.isNaN(m) ? null : m >= TARGET_RATIO)} single-core throughput ≥ ${TARGET_RATIO}× Portkey's, ${MODE_LABEL[mode]}: ${Number.isNaN(m) ? 'Portkey not measured' : `${withSpread(ratios[mode], 1)}× in req/s (${withSpread(cpuRatios[mode], 1)}× by CPU per request${sharedRatios[mode]?.length ? `; ${withSpread(sharedRatios[mode]!, 1)}× with both on the core at once` : ''})`}`);
  }
  const burstPeak = Math.max(...pick((x) => x.burst.switchyard?.peakRssMb));
  const hwm = r.peakHwmMb.switchyard ?? NaN;
  const burstRuns = pick((x) => x.burst.switchyard?.peakRssMb);
  L.push(`- ${verdict(burstRuns.length ? burstPeak <= TARGET_RSS_MB : null)} Switchyard RSS ≤ ${TARGET_RSS_MB} MB with ${r.setup.burst} concurrent streams open: `
    + `highest sample per run ${burstRuns.map((v) => v.toFixed(0)).join(', ')} MB (run 1 on a fresh process, later runs after the load of the earlier ones); `
    + `peak over the whole run including ${r.setup.connections}-connection throughput phases (VmHWM) ${fmt(hwm, 0)} MB`);
  L.push('');
  return { text: `${L.join('\n')}\n`, allPass };
}

const title = (n: Name) => (n === 'direct' ? 'Direct' : n === 'switchyard' ? 'Switchyard' : n === 'portkey' ? 'Portkey' : 'Floor');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');
const fmt = (x: number | undefined, d: number) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

const START = '<!-- bench:gateway:start -->';
const END = '<!-- bench:gateway:end -->';

const PREAMBLE = `# Benchmarks

## Gateway overhead: direct, Switchyard, Portkey

\`npm run bench\` (\`-- --quick\` for a single run) starts the upstream simulator, Switchyard and Portkey's
open-source gateway (\`@portkey-ai/gateway\`, a devDependency), measures all three side by side, prints the
tables below and rewrites this section. On a shared 2-core machine, differences under ~20–30% in throughput
or p99 are noise; the fixed-rate added p50 is the steadiest figure. Ratios measured in the same run are what
count, never a comparison with numbers from another run.

`;

/** Replaces the generated section of docs/benchmarks.md, keeping whatever else the file says. */
export function writeReport(path: string, text: string): void {
  const block = `${START}\n${text}${END}\n`;
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const a = old.indexOf(START);
  const b = old.indexOf(END);
  const next = a >= 0 && b > a ? old.slice(0, a) + block + old.slice(b + END.length + 1) : `${old || PREAMBLE}${old ? '\n' : ''}${block}`;
  writeFileSync(path, next);
}
