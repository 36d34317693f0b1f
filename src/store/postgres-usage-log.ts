/**
 * The request log on Postgres, off the request path: records queue in a BatchWriter (bounded,
 * counted drops and delays) and reach the `request_log` table in multi-row INSERTs, one round
 * trip per batch. `stats()` is the metric operators alert on.
 */
import { BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batch-writer.js';
import type { UsageRecord, UsageSink } from './usage-record.js';

/** The slice of pg.Pool the log needs (tests pass a fake). */
export interface SqlRunner { query(text: string, values: unknown[]): Promise<unknown> }

export type PostgresUsageLogOptions = { pool: SqlRunner } & Omit<BatchWriterOptions<UsageRecord>, 'write'>;
export type UsageLogStats = BatchWriterStats;

const COLUMNS = [
  'id', 'ts', 'key_id', 'model', 'served_model', 'provider', 'deployment', 'stream', 'status', 'error_code',
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'usage_estimated', 'cost_usd',
  'latency_ms', 'ttft_ms', 'route', 'meta',
] as const;

const rowValues = (r: UsageRecord): unknown[] => [
  r.id, r.ts, r.keyId, r.model, r.servedModel, r.provider, r.deployment, r.stream, r.status, r.errorCode,
  r.inputTokens, r.outputTokens, r.reasoningTokens, r.cachedTokens, r.usageEstimated, r.costUsd,
  Math.round(r.latencyMs), r.ttftMs === null ? null : Math.round(r.ttftMs), r.route, r.meta,
];

/** One INSERT for the whole batch (20 parameters a row; Postgres allows 65,535 per statement). */
function insertStatement(records: UsageRecord[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = records.map((r, i) => {
    values.push(...rowValues(r));
    const base = i * COLUMNS.length;
    return `(${COLUMNS.map((_, j) => `$${base + j + 1}`).join(', ')})`;
  });
  return { text: `INSERT INTO request_log (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values };
}

export class PostgresUsageLog implements UsageSink {
  private readonly writer: BatchWriter<UsageRecord>;

  constructor(opts: PostgresUsageLogOptions) {
    const { pool, ...rest } = opts;
    this.writer = new BatchWriter({
      ...rest,
      write: async (batch) => {
        const s = insertStatement(batch);
        await pool.query(s.text, s.values);
      },
    });
  }

  push(record: UsageRecord): void { this.writer.push(record); }
  flush(): Promise<void> { return this.writer.flush(); }
  close(): Promise<void> { return this.writer.close(); }
  stats(): UsageLogStats { return this.writer.stats(); }
}
