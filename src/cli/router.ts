/**
 * `switchyard router train --data FILE... [--out FILE] [--folds K]`
 *   Trains the learned router on outcome JSONL (the ../shared/routing-data format), printing
 *   cross-validated APGR per set as it goes, and writes a weights file.
 * `switchyard router score [--weights FILE]`
 *   Reads `{"id", "prompt"}` or `{"id", "messages"}` JSONL on stdin and writes
 *   `{"id", "strong_score"}` per line, in order. A bad line gets an error on stderr (the stream
 *   goes on) and the exit code is 1 at the end.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isRouterInput, type RouterInput } from '../router/learned/conversation.js';
import { DataError, loadOutcomes, type OutcomeRow } from '../router/learned/data.js';
import { loadRouter, type LearnedRouter } from '../router/learned/router.js';
import { DEFAULT_RECIPE, trainRouter } from '../router/learned/trainer.js';
import { encodeWeights, WeightsError } from '../router/learned/weights-file.js';

export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage:
  switchyard router train --data FILE [--data FILE ...] [--out FILE] [--folds K]
  switchyard router score [--weights FILE]  < requests.jsonl
`;

interface Parsed { flags: Map<string, string[]>; error?: string }

function parseFlags(args: string[], known: Set<string>): Parsed {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) return { flags, error: `unexpected argument: ${a}` };
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (!known.has(name)) return { flags, error: `unknown option --${name}` };
    const value = inline ?? args[++i];
    if (value === undefined) return { flags, error: `--${name} needs a value` };
    // `--data a.jsonl b.jsonl`: further non-flag words belong to --data too.
    const values = [value];
    if (name === 'data') while (i + 1 < args.length && !args[i + 1].startsWith('--')) values.push(args[++i]);
    flags.set(name, [...(flags.get(name) ?? []), ...values]);
  }
  return { flags };
}

async function train(args: string[], io: CliIO): Promise<number> {
  const { flags, error } = parseFlags(args, new Set(['data', 'out', 'folds']));
  if (error) { io.stderr.write(`${error}\n${USAGE}`); return 2; }
  const files = flags.get('data') ?? [];
  if (files.length === 0) { io.stderr.write(`--data is required\n${USAGE}`); return 2; }
  const folds = Number(flags.get('folds')?.at(-1) ?? 5);
  if (!Number.isInteger(folds) || folds < 2) { io.stderr.write('--folds must be an integer ≥ 2\n'); return 2; }
  const out = flags.get('out')?.at(-1) ?? 'router-weights.json';
  let rows: OutcomeRow[];
  try {
    rows = files.flatMap((f) => loadOutcomes(f));
  } catch (e) {
    io.stderr.write(`${e instanceof DataError ? e.message : `cannot read data: ${(e as Error).message}`}\n`);
    return 1;
  }
  let result;
  try {
    result = trainRouter(rows, { folds, log: (line) => io.stderr.write(line + '\n') });
  } catch (e) {
    io.stderr.write(`training failed: ${(e as Error).message}\n`);
    return 1;
  }
  const training = {
    rows: Object.fromEntries(result.sets.map((s) => [s.set, s.rows])),
    folds,
    crossValidated: Object.fromEntries(result.sets.map((s) => [s.set, {
      apgr: round3(s.learned.apgr), cpt50: round3(s.learned.cpt50), cpt80: round3(s.learned.cpt80), lengthBaselineApgr: round3(s.length.apgr),
    }])),
    recipe: { target: DEFAULT_RECIPE.target, l2: DEFAULT_RECIPE.fit.l2, l2Dense: DEFAULT_RECIPE.fit.l2Dense, topicBits: DEFAULT_RECIPE.topicBits },
  };
  const json = encodeWeights(result.model, { target: DEFAULT_RECIPE.target, training });
  writeFileSync(out, JSON.stringify(json) + '\n');
  io.stdout.write(JSON.stringify({ out, ...training }) + '\n');
  return 0;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** The conversation in one request line, or a reason it has none. */
function requestInput(obj: Record<string, unknown>): { input: RouterInput } | { error: string } {
  if (obj.messages !== undefined) {
    return Array.isArray(obj.messages) && isRouterInput(obj.messages)
      ? { input: obj.messages } : { error: 'messages must be an array of message objects' };
  }
  if (typeof obj.prompt === 'string') return { input: obj.prompt };
  return { error: 'needs "prompt" (string) or "messages" (array)' };
}

async function score(args: string[], io: CliIO): Promise<number> {
  const { flags, error } = parseFlags(args, new Set(['weights']));
  if (error) { io.stderr.write(`${error}\n${USAGE}`); return 2; }
  let router: LearnedRouter;
  try {
    router = loadRouter(flags.get('weights')?.at(-1));
  } catch (e) {
    io.stderr.write(`${e instanceof WeightsError ? e.message : (e as Error).message}\n`);
    return 1;
  }
  let bad = 0;
  let lineNo = 0;
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let obj: unknown;
    try { obj = JSON.parse(line); } catch { obj = undefined; }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      bad++;
      io.stderr.write(`line ${lineNo}: not a JSON object\n`);
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const req = requestInput(rec);
    if ('error' in req) {
      bad++;
      io.stderr.write(`line ${lineNo}${rec.id !== undefined ? ` (id ${JSON.stringify(rec.id)})` : ''}: ${req.error}\n`);
      continue;
    }
    const s = router.score(req.input);
    io.stdout.write(JSON.stringify({ id: rec.id ?? null, strong_score: Math.round(s * 1e6) / 1e6 }) + '\n');
  }
  if (bad > 0) io.stderr.write(`${bad} bad line(s) skipped\n`);
  return bad > 0 ? 1 : 0;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'train') return train(rest, io);
  if (sub === 'score') return score(rest, io);
  io.stderr.write(sub === undefined || sub === '--help' || sub === 'help' ? USAGE : `unknown subcommand: ${sub}\n${USAGE}`);
  return sub === undefined || sub === '--help' || sub === 'help' ? 0 : 2;
}
