/**
 * The processes one gateway benchmark run needs, side by side on the same simulator: the
 * simulator (and a slow one for the many-open-streams phase) pinned beside the load generator,
 * and each gateway pinned alone on the other core.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from './load.js';
import { freePort, memStatus, spawnPinned, type Proc } from './procs.js';

export type Name = 'direct' | 'switchyard' | 'portkey' | 'floor';
/** The gateways compared on every measure; `floor` (bench/floor-proxy.ts) is measured for latency only. */
export type GatewayName = Exclude<Name, 'direct' | 'floor'>;

export interface ClusterOptions {
  repoRoot: string;
  /** CPU list for the simulators (and the load generator); the gateways get `gatewayCpu`. */
  loadCpu: string;
  gatewayCpu: string;
  text: string;
  chunks: number;
  slowChunkIntervalMs: number;
}

export interface Cluster {
  sim: Proc;
  slowSim: Proc;
  gateways: Partial<Record<GatewayName, Proc>>;
  /** The minimal proxy, pinned like the gateways. */
  floor: Proc;
  targets: Partial<Record<Name, Target>>;
  /** Targets whose upstream is the slow simulator. */
  slowTargets: Partial<Record<GatewayName, Target>>;
  /** RSS right after start-up, MB. */
  idleRssMb: Partial<Record<GatewayName, number>>;
  notes: string[];
  /**
   * Leaves `name` (or no gateway, for the direct measurements) alone on the gateway core: every
   * other gateway is paused with SIGSTOP, so an idle one's background work (its garbage
   * collector shrinking the heap after a load phase, timers) cannot run on the measured core.
   */
  alone(name: Name): void;
  /** Leaves `names` running together on the gateway core; everything else pausable is paused. */
  together(names: readonly GatewayName[]): void;
  stop(): Promise<void>;
}

const LISTENING = /listening on http:\/\/[^\s]+:(\d+)\/v1/;
const CHAT = '/v1/chat/completions';

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const procs: Proc[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-'));
  const node = process.execPath;
  const cli = join(o.repoRoot, 'bin', 'switchyard.js');
  const notes: string[] = [];
  const paused = new Set<Proc>();
  const signal = (p: Proc, sig: 'SIGSTOP' | 'SIGCONT') => {
    try { process.kill(p.pid, sig); } catch { /* already gone */ }
  };
  const stop = async () => {
    for (const p of paused) signal(p, 'SIGCONT');
    paused.clear();
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const simArgs = ['sim', '--port', '0', '--chunks', String(o.chunks), '--text', o.text];
    const sim = await spawnPinned({ name: 'simulator', cpu: o.loadCpu, args: [node, cli, ...simArgs], ready: LISTENING });
    procs.push(sim.proc);
    const slow = await spawnPinned({
      name: 'slow simulator', cpu: o.loadCpu, ready: LISTENING,
      args: [node, cli, ...simArgs, '--chunk-interval-ms', String(o.slowChunkIntervalMs)],
    });
    procs.push(slow.proc);
    const simOrigin = `http://127.0.0.1:${sim.match}`;
    const slowOrigin = `http://127.0.0.1:${slow.match}`;

    const config = join(dir, 'switchyard.yaml');
    const provider = (id: string, origin: string) =>
      `  - id: ${id}\n    type: openai-compatible\n    base_url: ${origin}/v1\n    max_connections: 2048\n`;
    const model = (name: string, providerId: string) =>
      `  - name: ${name}\n    deployments:\n      - provider: ${providerId}\n        model: sim-model\n        price: { input: 0.05, output: 0.20 }\n`;
    writeFileSync(config, `providers:\n${provider('sim', simOrigin)}${provider('slow', slowOrigin)}models:\n${model('bench', 'sim')}${model('bench-slow', 'slow')}`);
    // Started as a user's `switchyard serve` starts it: the bin itself, whose shebang carries the
    // Node flags the gateway ships with (bin/switchyard.js).
    const sy = await spawnPinned({
      name: 'switchyard', cpu: o.gatewayCpu, ready: LISTENING,
      args: [cli, 'serve', '--config', config, '--port', '0', '--db', join(dir, 'usage.db')],
    });
    procs.push(sy.proc);
    const common = { 'content-type': 'application/json', authorization: 'Bearer x' };
    const targets: Partial<Record<Name, Target>> = {
      direct: { name: 'direct', origin: simOrigin, path: CHAT, headers: common },
      switchyard: { name: 'switchyard', origin: `http://127.0.0.1:${sy.match}`, path: CHAT, headers: common },
    };
    const slowTargets: Partial<Record<GatewayName, Target>> = {
      switchyard: { ...targets.switchyard!, headers: { ...common } },
    };
    const gateways: Partial<Record<GatewayName, Proc>> = { switchyard: sy.proc };
    const floor = await spawnPinned({
      name: 'floor proxy', cpu: o.gatewayCpu, ready: LISTENING,
      args: [node, join(o.repoRoot, 'dist', 'bench', 'floor-proxy.js'), '--port', '0', '--upstream', simOrigin],
    });
    procs.push(floor.proc);
    targets.floor = { name: 'floor', origin: `http://127.0.0.1:${floor.match}`, path: CHAT, headers: common };

    const portkeyMain = join(o.repoRoot, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
    if (existsSync(portkeyMain)) {
      const port = await freePort();
      const pk = await spawnPinned({
        name: 'portkey', cpu: o.gatewayCpu, ready: /Ready for connections/,
        args: [node, portkeyMain, '--headless', `--port=${port}`],
      });
      procs.push(pk.proc);
      gateways.portkey = pk.proc;
      const pkHeaders = (origin: string) => ({ ...common, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${origin}/v1` });
      targets.portkey = { name: 'portkey', origin: `http://127.0.0.1:${port}`, path: CHAT, headers: pkHeaders(simOrigin) };
      slowTargets.portkey = { ...targets.portkey, headers: pkHeaders(slowOrigin) };
    } else {
      notes.push('Portkey column left out: node_modules/@portkey-ai/gateway is not installed.');
    }

    const idleRssMb: Partial<Record<GatewayName, number>> = {};
    for (const [name, p] of Object.entries(gateways) as Array<[GatewayName, Proc]>) idleRssMb[name] = memStatus(p.pid).rssMb;
    const pausable: Array<[Name, Proc]> = [...Object.entries(gateways) as Array<[GatewayName, Proc]>, ['floor', floor.proc]];
    const only = (names: readonly Name[]) => {
      for (const [n, p] of pausable) {
        if (names.includes(n) && paused.delete(p)) signal(p, 'SIGCONT');
        if (!names.includes(n) && !paused.has(p)) { paused.add(p); signal(p, 'SIGSTOP'); }
      }
    };
    const alone = (name: Name) => only([name]);
    const together = (names: readonly GatewayName[]) => only(names);
    return { sim: sim.proc, slowSim: slow.proc, gateways, floor: floor.proc, targets, slowTargets, idleRssMb, notes, alone, together, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
