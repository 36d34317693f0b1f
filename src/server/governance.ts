/**
 * Who is calling and what they may spend: virtual keys, the master key, rate limits and budget
 * holds around each request. Reads on the request path hit in-memory caches (keys: 5 s TTL);
 * only budget holds and rate counters touch the store, and only for keys that have limits.
 */
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../core/errors.js';
import type { ChatRequest, Usage } from '../core/types.js';
import { costUsd } from '../core/cost.js';
import { estimateMessagesTokens } from '../core/estimate-tokens.js';
import { countPromptTokens } from '../core/count-tokens.js';
import type { RoutePlan } from '../router/plan.js';
import type { Reservation, Store, VirtualKey } from '../store/store.js';
import { admit } from '../store/admission.js';
import { keyIdOfSecret } from '../store/virtual-key.js';
import { bearer } from './http-io.js';

/** Output tokens assumed for the budget hold when a request sets no max_tokens. */
export const DEFAULT_HOLD_OUTPUT_TOKENS = 4096;

export interface Caller {
  /** The virtual key, or null for the master key / an open gateway. */
  key: VirtualKey | null;
}

export interface Admission {
  key: VirtualKey;
  reservation: Reservation | null;
  estimatedTokens: number;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class Governance {
  private readonly masterDigest: Buffer | null;
  private keysExist = false;
  private refresh: NodeJS.Timeout | null = null;

  constructor(readonly store: Store | null, masterKey: string | undefined) {
    this.masterDigest = masterKey ? digest(masterKey) : null;
  }

  /** Auth turns on when a master key is set or any active virtual key exists (checked every 5 s). */
  async start(): Promise<void> {
    await this.checkKeys();
    this.refresh = setInterval(() => { void this.checkKeys(); }, 5_000);
    this.refresh.unref();
  }

  private async checkKeys(): Promise<void> {
    if (!this.store) return;
    try {
      this.keysExist = (await this.store.keys.listKeys()).some((k) => k.revokedAt === null);
    } catch { /* keep the last answer; a store outage must not open the gateway */ }
  }

  get authRequired(): boolean {
    return this.masterDigest !== null || this.keysExist;
  }

  isMaster(secret: string | undefined): boolean {
    return !!secret && this.masterDigest !== null && timingSafeEqual(digest(secret), this.masterDigest);
  }

  /**
   * The caller, at once when no key has to be looked up (an open gateway and no key sent, or the
   * master key); else a promise. Throws (synchronously) for a missing key where one is required.
   */
  authenticate(req: IncomingMessage): Caller | Promise<Caller> {
    const secret = bearer(req);
    if (!this.authRequired) {
      // Open gateway, but a key may have been created since the last check (CLI, another
      // instance): honour it now, or its first requests would escape its limits and its spend.
      if (!secret || !this.store || !keyIdOfSecret(secret)) return { key: null };
      return this.store.keys.verifyKey(secret).then((key) => {
        if (key) this.keysExist = true;
        return { key };
      });
    }
    if (!secret) throw new GatewayError('invalid_api_key', 'Missing API key: send it as "Authorization: Bearer <key>"');
    if (this.isMaster(secret)) return { key: null };
    const unknown = (): GatewayError => new GatewayError('invalid_api_key', 'Incorrect API key provided (unknown or revoked)');
    if (!this.store) throw unknown();
    return this.store.keys.verifyKey(secret).then((key) => {
      if (!key) throw unknown();
      return { key };
    });
  }

  /** Model allow-list, rate limits and the budget hold, priced at the dearest planned deployment. */
  async admit(key: VirtualKey, chat: ChatRequest, plan: RoutePlan): Promise<Admission> {
    // Budgets and token limits need a count that does not undershoot: the o200k count plus 25%
    // (other models' tokenizers differ; a 4-characters-per-token guess is far off for CJK and code).
    const limited = key.budgetDayUsd !== null || key.budgetMonthUsd !== null || key.tpm !== null;
    const input = limited ? Math.ceil((await countPromptTokens(chat)) * 1.25) : estimateMessagesTokens(chat.messages);
    const output = chat.maxTokens ?? DEFAULT_HOLD_OUTPUT_TOKENS;
    const worst: Usage = { inputTokens: input, outputTokens: output };
    let maxCost = 0;
    for (const d of plan.deployments) maxCost = Math.max(maxCost, costUsd(worst, d.price));
    const hasBudget = key.budgetDayUsd !== null || key.budgetMonthUsd !== null;
    if (!this.store) return { key, reservation: null, estimatedTokens: input + output };
    if (!hasBudget) {
      // Still checks the allow-list and rate limits; no hold is needed without a budget.
      await admit({ rateLimiter: this.store.rateLimiter, budgets: noBudget }, { key, model: chat.model, estimatedTokens: input + output, maxCostUsd: 0 });
      return { key, reservation: null, estimatedTokens: input + output };
    }
    const reservation = await admit(this.store, { key, model: chat.model, estimatedTokens: input + output, maxCostUsd: maxCost });
    return { key, reservation, estimatedTokens: input + output };
  }

  /** After the response: replace the hold by the real cost and correct the token count. */
  async settle(a: Admission, usage: Usage, cost: number): Promise<void> {
    if (!this.store) return;
    const jobs: Promise<void>[] = [];
    if (a.reservation) jobs.push(this.store.budgets.settle(a.reservation, cost));
    if (a.key.tpm !== null) jobs.push(this.store.rateLimiter.adjustTokens(a.key.id, usage.inputTokens + usage.outputTokens - a.estimatedTokens));
    await Promise.all(jobs);
  }

  close(): void {
    if (this.refresh) clearInterval(this.refresh);
  }
}

const noBudget = {
  reserve: async (keyId: string, maxCostUsd: number): Promise<Reservation> => ({ id: '', keyId, maxCostUsd, expiresAt: 0 }),
  settle: async () => undefined,
  release: async () => undefined,
  status: async () => { throw new Error('unused'); },
};

/** Reasoning visibility: the key's policy is the ceiling; a request may always ask for less. */
export function reasoningVisible(req: IncomingMessage, caller: Caller, serverDefault: 'hidden' | 'exposed'): boolean {
  const asked = req.headers['x-switchyard-reasoning'];
  if (asked === 'hidden') return false;
  if (caller.key) return caller.key.reasoning === 'exposed';
  if (asked === 'exposed') return true;
  return serverDefault === 'exposed';
}
