/**
 * The privacy scanner: finds personal and medical data in a request so routing can keep it on
 * local deployments. It reports kinds and offsets, never the values. See docs/privacy.md.
 */
import type { ChatMessage, Role } from '../../core/types.js';
import type { Detector, Entity, EntityType } from './entity.js';
import { detectEmail } from './email.js';
import { detectPhone } from './phone.js';
import { detectCreditCard, detectIban } from './financial.js';
import { detectBrCpf, detectCaSin, detectEsNif, detectInAadhaar, detectUkNhs, detectUsSsn } from './national-id.js';
import { detectFrNir, detectItFiscalCode, detectNlBsn, detectUkNino } from './national-id-europe.js';
import { detectIp } from './network.js';
import { detectAddress } from './address.js';
import { detectPerson } from './person.js';
import { detectDateOfBirth, detectDiagnosis, detectMedicalRecord } from './medical.js';

export type { Entity, EntityType } from './entity.js';

export interface ScanResult {
  sensitive: boolean;
  /** Sorted by start; overlapping findings are resolved to the most specific one. */
  entities: Entity[];
}

// When two findings overlap, the more specific (checksummed, labelled) one wins: an NHS number
// is also a plausible phone number, a card number inside an address line is still a card.
const PRIORITY: Record<EntityType, number> = {
  CREDIT_CARD: 10, IBAN: 10, US_SSN: 9, UK_NHS: 9, CA_SIN: 9, BR_CPF: 9, ES_NIF: 9, IN_AADHAAR: 9, UK_NINO: 9,
  FR_NIR: 9, IT_FISCAL_CODE: 9, NL_BSN: 9, EMAIL: 8,
  IP_ADDRESS: 8, MEDICAL_RECORD: 7, DATE_OF_BIRTH: 7, PHONE: 6, DIAGNOSIS: 5, STREET_ADDRESS: 4, PERSON: 3,
};

// Order matters only for DIAGNOSIS, which needs the PERSON findings.
const DETECTORS: Detector[] = [
  detectEmail, detectCreditCard, detectIban, detectUsSsn, detectUkNhs, detectCaSin, detectEsNif, detectBrCpf,
  detectInAadhaar, detectUkNino, detectFrNir, detectItFiscalCode, detectNlBsn,
  detectIp, detectPhone, detectDateOfBirth, detectMedicalRecord, detectAddress, detectPerson,
];

function resolveOverlaps(text: string, found: Entity[]): Entity[] {
  found.sort((a, b) => a.start - b.start || PRIORITY[b.type] - PRIORITY[a.type] || b.end - a.end);
  const kept: Entity[] = [];
  for (const e of found) {
    const last = kept[kept.length - 1];
    if (last !== undefined && last.type === 'STREET_ADDRESS' && e.type === 'STREET_ADDRESS'
      && e.start >= last.end && e.start - last.end <= 3 && /^[\s,]*$/.test(text.slice(last.end, e.start))) {
      last.end = Math.max(last.end, e.end); // the lines of one address block are one address
    } else if (last === undefined || e.start >= last.end) {
      kept.push(e);
    } else if (last.type === e.type) {
      last.end = Math.max(last.end, e.end); // two cues over one address: one finding
    } else if (PRIORITY[e.type] > PRIORITY[last.type]) {
      kept[kept.length - 1] = e;
    }
  }
  return kept;
}

/** Scans one text. Offsets are UTF-16 code units of `text`, `end` exclusive. */
export function scan(text: string): ScanResult {
  const found: Entity[] = [];
  if (text.length === 0) return { sensitive: false, entities: found };
  for (const detect of DETECTORS) detect(text, found);
  detectDiagnosis(text, found, found.filter((e) => e.type === 'PERSON'));
  const entities = resolveOverlaps(text, found);
  return { sensitive: entities.length > 0, entities };
}

export interface MessagesScanResult {
  sensitive: boolean;
  /** The kinds found, each once, sorted: what routing may log. */
  types: EntityType[];
}

export interface ScanMessagesOptions {
  /**
   * Only messages with these roles are scanned (default: all). A deployment whose system prompt
   * carries the operator's own contact details can leave out 'system' so that not every request
   * reads as sensitive.
   */
  roles?: readonly Role[];
}

/** The text a request sends upstream: string content, text parts and tool-call arguments. */
export function messageTexts(messages: readonly ChatMessage[], options: ScanMessagesOptions = {}): string[] {
  const texts: string[] = [];
  for (const msg of messages) {
    if (options.roles !== undefined && !options.roles.includes(msg.role)) continue;
    const content: unknown = msg.content;
    if (typeof content === 'string') texts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content as unknown[]) {
        if (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string') {
          texts.push((part as { text: string }).text);
        }
      }
    }
    if (Array.isArray(msg.tool_calls)) {
      for (const call of msg.tool_calls) {
        if (typeof call?.function?.arguments === 'string') texts.push(call.function.arguments);
      }
    }
  }
  return texts;
}

/**
 * Scans every text of an OpenAI messages array. The texts are joined by blank lines so a cue in
 * one turn ("What's your name?") can reach the answer in the next.
 */
export function scanMessages(messages: readonly ChatMessage[], options: ScanMessagesOptions = {}): MessagesScanResult {
  const { entities } = scan(messageTexts(messages, options).join('\n\n'));
  const types = [...new Set(entities.map((e) => e.type))].sort();
  return { sensitive: types.length > 0, types };
}
