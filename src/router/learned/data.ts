/**
 * Outcome data for training: JSONL lines in the routing-data format
 * `{"id","benchmark","subject","prompt","weak_correct","strong_correct"}`; users may give `messages`
 * instead of `prompt` and 0/1 instead of booleans. `benchmark` groups rows into the sets that are
 * evaluated separately (defaults to the file name).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import type { RouterInput, RouterMessage } from './conversation.js';

const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);

const OutcomeLine = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  benchmark: z.string().nullish(),
  subject: z.string().nullish(),
  prompt: z.string().optional(),
  messages: z.array(z.record(z.string(), z.unknown())).optional(),
  weak_correct: flag,
  strong_correct: flag,
}).refine((o) => o.prompt !== undefined || o.messages !== undefined, { message: 'needs "prompt" or "messages"' });

export interface OutcomeRow {
  id: string;
  set: string;
  /** Optional topic label; training smooths targets within a subject (see recipe.ts). */
  subject: string | null;
  input: RouterInput;
  weakCorrect: boolean;
  strongCorrect: boolean;
}

export class DataError extends Error {}

/** Parses one JSONL file; throws DataError naming the file and line of the first bad row. */
export function parseOutcomes(text: string, source: string): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  const fallbackSet = basename(source).replace(/\.jsonl?$/, '');
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln].trim();
    if (!line) continue;
    let json: unknown;
    try { json = JSON.parse(line); } catch { throw new DataError(`${source}:${ln + 1}: not JSON`); }
    const r = OutcomeLine.safeParse(json);
    if (!r.success) throw new DataError(`${source}:${ln + 1}: ${r.error.issues[0]?.message ?? 'bad row'}`);
    const o = r.data;
    rows.push({
      id: o.id !== undefined ? String(o.id) : `${fallbackSet}-${ln + 1}`,
      set: o.benchmark ?? fallbackSet,
      subject: o.subject ?? null,
      input: o.messages ? (o.messages as RouterMessage[]) : (o.prompt ?? ''),
      weakCorrect: o.weak_correct,
      strongCorrect: o.strong_correct,
    });
  }
  return rows;
}

export function loadOutcomes(path: string): OutcomeRow[] {
  return parseOutcomes(readFileSync(path, 'utf8'), path);
}
