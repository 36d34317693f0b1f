import { randomBytes, randomUUID } from 'node:crypto';

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomToken(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHA[bytes[i] % ALPHA.length];
  return s;
}

/** Tool-call ids for upstreams that send none (Ollama, some engines): OpenAI clients need one. */
export const newToolCallId = (): string => `call_${randomToken(24)}`;
export const newCompletionId = (): string => `chatcmpl-${randomToken(24)}`;
export const newRequestId = (): string => randomUUID();
