/**
 * Turns request-log records into spend entries and writes them in batches, so the server can
 * feed one UsageRecord to both the request log and spend accounting without waiting on either.
 * Failed requests that cost nothing and used no tokens are not spend and are skipped.
 */
import { BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batch-writer.js';
import type { SpendEntry, SpendStore } from './store.js';
import type { UsageRecord, UsageSink } from './usage-record.js';

export function spendEntryFromUsage(r: UsageRecord): SpendEntry {
  return {
    ts: r.ts, keyId: r.keyId, model: r.model, provider: r.provider, inputTokens: r.inputTokens,
    outputTokens: r.outputTokens, reasoningTokens: r.reasoningTokens, cachedTokens: r.cachedTokens, costUsd: r.costUsd,
  };
}

export class SpendSink implements UsageSink {
  private readonly writer: BatchWriter<SpendEntry>;

  constructor(spend: SpendStore, opts: Omit<BatchWriterOptions<SpendEntry>, 'write'> = {}) {
    this.writer = new BatchWriter({ ...opts, write: (batch) => spend.recordSpend(batch) });
  }

  push(record: UsageRecord): void {
    if (record.costUsd === 0 && record.inputTokens === 0 && record.outputTokens === 0) return;
    this.writer.push(spendEntryFromUsage(record));
  }

  flush(): Promise<void> { return this.writer.flush(); }
  close(): Promise<void> { return this.writer.close(); }
  stats(): BatchWriterStats { return this.writer.stats(); }
}
