/** One row of the request log: what was asked, who served it, what it cost and how long it took. */
export interface UsageRecord {
  id: string;               // request id, also returned to clients as x-request-id
  ts: number;               // ms since epoch, when the request arrived
  keyId: string | null;     // virtual key id, null when auth is off
  model: string;            // the model name the client asked for
  servedModel: string | null;   // canonical model that served it (differs for virtual models)
  provider: string | null;
  deployment: string | null;    // upstream model id
  stream: boolean;
  status: number;           // HTTP status sent to the client (200 even if a stream later failed)
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  usageEstimated: boolean;
  costUsd: number;
  latencyMs: number;        // until the last byte was sent
  ttftMs: number | null;    // until the first content byte (streams)
  route: string | null;     // the routing reason (x-switchyard-route)
  meta: string | null;      // JSON: extra routing/privacy facts (kinds of data found, never values)
}

/** Where usage records go. `push` must never block or throw on the request path. */
export interface UsageSink {
  push(record: UsageRecord): void;
  /** Write everything queued; resolves when it is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
