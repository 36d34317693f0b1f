/**
 * `switchyard keys create|list|revoke`: manage virtual keys in the store directly.
 * The secret is printed once, at creation; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import type { NewKey, VirtualKey } from '../store/store.js';
import { keyJson } from '../server/admin.js';
import { formatTable, openStore, reportError, STORE_OPTIONS, STORE_USAGE, UsageError, type CliIO } from './store-args.js';

const USAGE = `Usage:
  switchyard keys create --name NAME [--models a,b] [--budget-day USD] [--budget-month USD]
                         [--rpm N] [--tpm N] [--local-only] [--reasoning hidden|exposed] [--cache]
                         [--team T] [--user U] [--json]
  switchyard keys list [--json]
  switchyard keys revoke ID
Options:
${STORE_USAGE}
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  name: { type: 'string' },
  models: { type: 'string' },
  'budget-day': { type: 'string' },
  'budget-month': { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  'local-only': { type: 'boolean' },
  reasoning: { type: 'string' },
  cache: { type: 'boolean' },
  team: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function number(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} must be a ${integer ? 'whole ' : ''}number ≥ 0, got "${raw}"`);
  }
  return n;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  try {
    const { values: v, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    const [sub, ...rest] = positionals;
    if (v.help || !sub) {
      out(USAGE);
      return v.help ? 0 : 2;
    }
    if (!['create', 'list', 'revoke'].includes(sub)) throw new UsageError(`unknown subcommand "${sub}"`);
    if (sub === 'revoke' && rest.length !== 1) throw new UsageError('keys revoke takes one key id');
    if (sub !== 'revoke' && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (sub === 'create' && !v.name) throw new UsageError('keys create needs --name');
    const input: NewKey | null = sub === 'create' ? {
      name: v.name ?? '',
      models: v.models?.split(',').map((m) => m.trim()).filter(Boolean),
      budgetDayUsd: number('budget-day', v['budget-day'], false),
      budgetMonthUsd: number('budget-month', v['budget-month'], false),
      rpm: number('rpm', v.rpm, true),
      tpm: number('tpm', v.tpm, true),
      localOnly: v['local-only'],
      reasoning: v.reasoning as NewKey['reasoning'],
      cache: v.cache,
      metadata: v.team || v.user ? { ...(v.team ? { team: v.team } : {}), ...(v.user ? { user: v.user } : {}) } : undefined,
    } : null;

    const store = await openStore(v);
    try {
      if (input) {
        const { key, secret } = await store.keys.createKey(input);
        if (v.json) out(JSON.stringify({ ...keyJson(key), secret }, null, 2) + '\n');
        else out(`Created key ${key.id} (${key.name}).\n\n  ${secret}\n\nStore it now: it is shown only once.\n`);
        return 0;
      }
      if (sub === 'list') {
        const keys = await store.keys.listKeys();
        if (v.json) out(JSON.stringify(keys.map(keyJson), null, 2) + '\n');
        else out(formatTable(['ID', 'NAME', 'KEY', 'MODELS', 'BUDGET/DAY', 'BUDGET/MONTH', 'RPM', 'TPM', 'FLAGS', 'STATUS'], keys.map(row)));
        return 0;
      }
      const id = rest[0];
      if (await store.keys.revokeKey(id)) {
        out(`Revoked key ${id}.\n`);
        return 0;
      }
      const key = await store.keys.getKey(id);
      io.stderr.write(key ? `Key ${id} was already revoked.\n` : `No key with id ${id}.\n`);
      return 1;
    } finally {
      await store.close();
    }
  } catch (err) {
    return reportError(err, io, USAGE);
  }
}

function row(k: VirtualKey): string[] {
  const flags = [k.localOnly ? 'local-only' : '', k.reasoning === 'exposed' ? 'reasoning' : '', k.cache ? 'cache' : '']
    .filter(Boolean).join(',');
  const opt = (x: number | null, unit = '') => (x === null ? '-' : `${unit}${x}`);
  return [
    k.id, k.name, k.hint, k.models?.join(',') ?? '*', opt(k.budgetDayUsd, '$'), opt(k.budgetMonthUsd, '$'),
    opt(k.rpm), opt(k.tpm), flags || '-', k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString().slice(0, 10)}`,
  ];
}
