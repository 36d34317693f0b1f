/**
 * European national identifiers beyond the Spanish DNI (in national-id.ts): UK National
 * Insurance number (format rules), French NIR (mod-97 key), Italian codice fiscale (check
 * letter), Dutch BSN (11-proef, only next to "BSN": a random 9-digit number passes 1 in 11).
 */
import type { Entity } from './entity.js';
import { bsnValid, codiceFiscaleValid, digitsOf, nirValid } from './checksums.js';
import { cueBefore } from './context.js';

// HMRC rules: no D, F, I, Q, U, V as first letter; no D, F, I, O, Q, U, V as second; suffix A-D.
const NINO = /(?<![\w-])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w-])/g;
const NINO_BAD_PREFIX = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export function detectUkNino(text: string, out: Entity[]): void {
  NINO.lastIndex = 0;
  for (let m = NINO.exec(text); m !== null; m = NINO.exec(text)) {
    if (NINO_BAD_PREFIX.has(m[1])) continue;
    out.push({ type: 'UK_NINO', start: m.index, end: m.index + m[0].length });
  }
}

// "1 85 05 78 006 084 91" or compact; Corsican departments 2A/2B.
const NIR = /(?<![\w-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\w-])/g;

export function detectFrNir(text: string, out: Entity[]): void {
  NIR.lastIndex = 0;
  for (let m = NIR.exec(text); m !== null; m = NIR.exec(text)) {
    if (!nirValid(m[0].replace(/ /g, ''))) continue;
    out.push({ type: 'FR_NIR', start: m.index, end: m.index + m[0].length });
  }
}

const CODICE_FISCALE = /(?<![\w-])[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z](?![\w-])/gi;

export function detectItFiscalCode(text: string, out: Entity[]): void {
  CODICE_FISCALE.lastIndex = 0;
  for (let m = CODICE_FISCALE.exec(text); m !== null; m = CODICE_FISCALE.exec(text)) {
    if (!codiceFiscaleValid(m[0])) continue;
    out.push({ type: 'IT_FISCAL_CODE', start: m.index, end: m.index + m[0].length });
  }
}

const BSN = /(?<![\w.-])\d{4}\.?\d{2}\.?\d{3}(?![\w]|[.-]\d)/g;
const BSN_CUE = /(?:\bbsn\b|burgerservicenummer|sofinummer)/i;

export function detectNlBsn(text: string, out: Entity[]): void {
  BSN.lastIndex = 0;
  for (let m = BSN.exec(text); m !== null; m = BSN.exec(text)) {
    if (!bsnValid(digitsOf(m[0])) || !cueBefore(text, m.index, BSN_CUE, 40)) continue;
    out.push({ type: 'NL_BSN', start: m.index, end: m.index + m[0].length });
  }
}
