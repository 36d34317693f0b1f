/** `switchyard spend [--by key|model|provider|day] [--from DATE] [--to DATE] [--key ID] [--json]`. */
import { parseArgs } from 'node:util';
import { spendJson } from '../server/admin.js';
import type { SpendGroupBy } from '../store/store.js';
import { formatTable, openStore, reportError, STORE_OPTIONS, STORE_USAGE, UsageError, type CliIO } from './store-args.js';

const USAGE = `Usage:
  switchyard spend [--by key|model|provider|day] [--from DATE] [--to DATE] [--key ID] [--json]
Dates are UTC, YYYY-MM-DD (a --to date includes that day) or any ISO time.
Options:
${STORE_USAGE}
`;

const GROUPS: readonly SpendGroupBy[] = ['key', 'model', 'provider', 'day'];

function time(flag: string, raw: string | undefined, upper: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const t = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t)) throw new UsageError(`--${flag} must be a date like 2026-11-25, got "${raw}"`);
  return upper && dateOnly ? t + 86_400_000 : t;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  try {
    const { values: v, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        ...STORE_OPTIONS, by: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
        key: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const groupBy = (v.by ?? 'key') as SpendGroupBy;
    if (!GROUPS.includes(groupBy)) throw new UsageError(`--by must be one of ${GROUPS.join(', ')}`);
    const query = { groupBy, from: time('from', v.from, false), to: time('to', v.to, true), keyId: v.key };
    const store = await openStore(v);
    try {
      const rows = await store.spend.spendSummary(query);
      if (v.json) {
        io.stdout.write(JSON.stringify({ group_by: groupBy, data: rows.map(spendJson) }, null, 2) + '\n');
        return 0;
      }
      const total = rows.reduce((t, r) => ({ n: t.n + r.requests, cost: t.cost + r.costUsd }), { n: 0, cost: 0 });
      const body = rows.map((r) => [
        r.group ?? '(none)', String(r.requests), String(r.inputTokens), String(r.outputTokens),
        String(r.reasoningTokens), String(r.cachedTokens), usd(r.costUsd),
      ]);
      body.push(['TOTAL', String(total.n), '', '', '', '', usd(total.cost)]);
      io.stdout.write(formatTable([groupBy.toUpperCase(), 'REQUESTS', 'INPUT', 'OUTPUT', 'REASONING', 'CACHED', 'COST_USD'], body));
      return 0;
    } finally {
      await store.close();
    }
  } catch (err) {
    return reportError(err, io, USAGE);
  }
}

const usd = (x: number): string => `$${x.toFixed(6)}`;
