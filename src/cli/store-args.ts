/**
 * The store options every store-facing command shares: `--db PATH` (SQLite, default
 * ./data/switchyard.db) or `--postgres URL`. Commands talk to the store directly, so they work
 * whether or not a server is running; a running server sees changes within its key cache TTL.
 */
import { createStore, DEFAULT_SQLITE_PATH, type ComposedStore } from '../store/create-store.js';

export const STORE_OPTIONS = {
  db: { type: 'string' },
  postgres: { type: 'string' },
} as const;

export const STORE_USAGE = `  --db PATH          SQLite database (default ./data/switchyard.db)
  --postgres URL     use Postgres instead (postgres://user:pass@host:5432/db)`;


export async function openStore(values: { db?: string; postgres?: string }): Promise<ComposedStore> {
  if (values.db && values.postgres) throw new UsageError('use either --db or --postgres, not both');
  // No key cache: a CLI run is short and must see (and make) changes at once.
  if (values.postgres) return createStore({ postgresUrl: values.postgres, keyCacheTtlMs: 0 });
  return createStore({ sqlitePath: values.db ?? DEFAULT_SQLITE_PATH, keyCacheTtlMs: 0 });
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Left-aligned text columns; the CLI's only table format. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Shared by the store commands: usage mistakes → 2 with usage, everything else → 1. */
export function reportError(err: unknown, io: CliIO, usage: string): number {
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    io.stderr.write(`switchyard: ${err.message}\n\n${usage}`);
    return 2;
  }
  io.stderr.write(`switchyard: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}
