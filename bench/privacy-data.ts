/**
 * Loaders for the privacy benchmark and its held-out test: the Presidio synthetic PII set (with
 * its labels mapped to the scanner's types and a held-out split) and prompts without personal data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityType } from '../src/router/privacy/entity.js';

export interface LabelledText {
  text: string;
  templateId: number;
  /** Labelled spans whose data-set label maps to one of ours. */
  spans: Array<{ type: EntityType; start: number; end: number }>;
  heldOut: boolean;
}

/**
 * Presidio label → scanner type. Labels left out are not personal data on their own (ORGANIZATION,
 * GPE, DATE_TIME, NRP, TITLE, DOMAIN_NAME, AGE, ZIP_CODE) or not detected (US_DRIVER_LICENSE).
 */
export const LABEL_MAP: Record<string, EntityType> = {
  EMAIL_ADDRESS: 'EMAIL', PHONE_NUMBER: 'PHONE', CREDIT_CARD: 'CREDIT_CARD', IBAN_CODE: 'IBAN',
  US_SSN: 'US_SSN', IP_ADDRESS: 'IP_ADDRESS', PERSON: 'PERSON', STREET_ADDRESS: 'STREET_ADDRESS',
};

/** The kinds the recall target is set on: checkable identifiers. */
export const KEY_TYPES: ReadonlySet<EntityType> = new Set(['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'IP_ADDRESS']);

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Held out by template, not by text: texts of one template share wording and differ only in the
 * filled values, so a split by text would leak the wording the detectors were tuned on.
 */
export function isHeldOutTemplate(templateId: number): boolean {
  return fnv1a(`template:${templateId}`) % 10 < 3;
}

export function loadPresidio(sharedDir: string): LabelledText[] {
  const file = join(sharedDir, 'redteam-data', 'presidio-synthetic-pii', 'data', 'synth_dataset_v2.json');
  const rows: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(rows)) throw new Error(`${file}: expected an array`);
  return rows.map((row: { full_text: string; template_id: number; spans: Array<{ entity_type: string; start_position: number; end_position: number }> }) => ({
    text: row.full_text,
    templateId: row.template_id,
    heldOut: isHeldOutTemplate(row.template_id),
    spans: row.spans.flatMap((s) => {
      const type = LABEL_MAP[s.entity_type];
      return type ? [{ type, start: s.start_position, end: s.end_position }] : [];
    }),
  }));
}

/** Prompts of one routing-data benchmark (`mmlu` or `gsm8k`). */
export function loadRoutingPrompts(sharedDir: string, name: 'mmlu' | 'gsm8k'): string[] {
  const lines = readFileSync(join(sharedDir, 'routing-data', `${name}.jsonl`), 'utf8').split('\n');
  return lines.filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { prompt: string }).prompt);
}

/** Minimal RFC 4180 reader: quoted fields with doubled quotes and embedded newlines. */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

export function loadXstest(sharedDir: string): string[] {
  const rows = parseCsv(readFileSync(join(sharedDir, 'redteam-data', 'xstest', 'xstest_prompts.csv'), 'utf8'));
  const col = rows[0].indexOf('prompt');
  return rows.slice(1).filter((r) => r.length > col).map((r) => r[col]);
}

export interface RecallStats { texts: number; detected: number; recall: number }

/** Request-level recall: a text with labelled personal data counts when the scan flags it. */
export function requestRecall(texts: readonly LabelledText[], flagged: (t: string) => boolean): RecallStats {
  let detected = 0;
  for (const t of texts) if (flagged(t.text)) detected++;
  return { texts: texts.length, detected, recall: texts.length ? detected / texts.length : Number.NaN };
}

export function falsePositiveRate(prompts: readonly string[], flagged: (t: string) => boolean): { prompts: number; flagged: number; rate: number } {
  let n = 0;
  for (const p of prompts) if (flagged(p)) n++;
  return { prompts: prompts.length, flagged: n, rate: prompts.length ? n / prompts.length : Number.NaN };
}
