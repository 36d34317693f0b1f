/**
 * Processes for the gateway benchmark: start each server pinned to one CPU with `taskset`, wait
 * until it listens, and read what the kernel knows about it (peak RSS, CPU time) from /proc.
 * `taskset` execs the command, so the child's pid is the server's pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote, kept short, for error messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface SpawnPinnedOptions {
  name: string;
  /** CPU list for taskset (`'1'`), or null to run unpinned. */
  cpu: string | null;
  args: string[];
  /** Resolves once a line of stdout/stderr matches; its first capture group is returned. */
  ready: RegExp;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process (the load generator) to a CPU list; a no-op where taskset is missing. */
export function pinSelf(cpu: string): boolean {
  if (!hasCommand('taskset')) return false;
  execFileSync('taskset', ['-cp', cpu, String(process.pid)], { stdio: 'ignore' });
  return true;
}

export async function spawnPinned(o: SpawnPinnedOptions): Promise<{ proc: Proc; match: string }> {
  const [cmd, ...rest] = o.cpu !== null && hasCommand('taskset') ? ['taskset', '-c', o.cpu, ...o.args] : o.args;
  const child = spawn(cmd, rest, { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => { out = (out + b.toString('utf8')).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const proc: Proc = {
    name: o.name,
    pid: child.pid ?? -1,
    child,
    log: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  const match = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${o.name} did not start within ${o.timeoutMs ?? 15000} ms:\n${out}`)), o.timeoutMs ?? 15000);
    const check = () => {
      const m = o.ready.exec(out);
      if (m) done(null, m[1] ?? m[0]);
    };
    const onExit = (code: number | null) => done(new Error(`${o.name} exited (${code}) before it was ready:\n${out}`));
    function done(err: Error | null, value?: string) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
      if (err) reject(err); else resolve(value!);
    }
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
  });
  return { proc, match };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface MemStatus { rssMb: number; hwmMb: number }

/** VmRSS and VmHWM (peak resident set) from /proc/PID/status, in MB. */
export function memStatus(pid: number): MemStatus {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

// USER_HZ is 100 on every Linux this runs on (the kernel ABI fixes it for /proc).
const TICKS_PER_S = 100;

/** User + system CPU seconds a process has used so far (/proc/PID/stat, 10 ms resolution). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** Busy and total jiffies per CPU from /proc/stat, to see whether a core was saturated. */
export function cpuTimes(): Array<{ busy: number; total: number }> {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l));
  return lines.map((l) => {
    const v = l.split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  });
}

/** Share of each CPU that was busy between two `cpuTimes()` readings (0–1). */
export function cpuBusyShare(before: ReturnType<typeof cpuTimes>, after: ReturnType<typeof cpuTimes>): number[] {
  return after.map((a, i) => {
    const b = before[i];
    const dt = a.total - (b?.total ?? 0);
    return dt > 0 ? (a.busy - (b?.busy ?? 0)) / dt : 0;
  });
}

export interface Machine { cpus: number; model: string; node: string; date: string; load: string }

export function machine(): Machine {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^Model name:\s+(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }));
    if (m) model = m[1].trim();
  } catch { /* lscpu missing: keep os.cpus()'s name */ }
  return {
    cpus: cpus().length,
    model,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

/** The busiest other processes right now (from `top`), to note who else was using the machine. */
export function otherLoad(excludePids: number[]): string {
  try {
    const out = execFileSync('top', ['-b', '-n', '1', '-o', '%CPU'], { encoding: 'utf8' });
    const rows = out.split('\n').slice(7).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 12);
    const busy = rows
      .filter((f) => !excludePids.includes(Number(f[0])) && Number(f[8]) >= 5)
      .slice(0, 4)
      .map((f) => `${f[11]} ${f[8]}%`);
    return busy.length ? busy.join(', ') : 'none above 5%';
  } catch {
    return 'top unavailable';
  }
}

/**
 * A full garbage collection of this process, now. The load generator runs one before each
 * fixed-rate phase, so that the garbage of the phases before (a thousand streams, 50-connection
 * load) is not collected while latency is being measured: its collections pause the reading of
 * every response in flight, and its helper threads take the core from the simulator beside it.
 * (`npm run bench` also starts Node with --no-memory-reducer, which otherwise starts collections
 * exactly when the generator's allocation rate is low, i.e. in the middle of a measurement.)
 */
export function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) { g(); return; }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
