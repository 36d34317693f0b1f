/**
 * National identifiers. Each has a structural rule or a check digit; the ones whose shape is
 * shared with ordinary numbers (a bare 9-digit SSN, a 3-3-4 NHS number that also looks like a
 * phone number) are only reported next to their name ("SSN", "NHS number").
 */
import type { Entity } from './entity.js';
import { cpfValid, digitsOf, luhnValid, nhsValid, nifValid, verhoeffValid } from './checksums.js';
import { cueBefore } from './context.js';

const SSN = /(?<![\w-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?!\w|-\d)/g;
const SSN_CUE = /(?:\bssn|social security|\bsocial sec\b|\bss#|\bss no|\btin\b|taxpayer)/i;
// Numbers the SSA has published as never valid (advertising samples), beyond the structural rules.
const SSN_DENY = new Set(['078051120', '219099999']);

/** US SSN structural rules: area 001-899 except 666, group 01-99, serial 0001-9999. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  return !SSN_DENY.has(area + group + serial);
}

export function detectUsSsn(text: string, out: Entity[]): void {
  SSN.lastIndex = 0;
  for (let m = SSN.exec(text); m !== null; m = SSN.exec(text)) {
    if (!ssnValid(m[1], m[3], m[4])) continue;
    // "123-45-6789" is distinctive on its own; nine bare digits or spaced groups need the word.
    if (m[2] !== '-' && !cueBefore(text, m.index, SSN_CUE, 40)) continue;
    out.push({ type: 'US_SSN', start: m.index, end: m.index + m[0].length });
  }
}

const NHS = /(?<![\w-])\d{3}([ -]?)\d{3}\1\d{4}(?!\w|-\d)/g;
const NHS_CUE = /(?:\bnhs\b|health service|\bchi\b|health (?:and care )?number)/i;

export function detectUkNhs(text: string, out: Entity[]): void {
  NHS.lastIndex = 0;
  for (let m = NHS.exec(text); m !== null; m = NHS.exec(text)) {
    if (!nhsValid(digitsOf(m[0])) || !cueBefore(text, m.index, NHS_CUE, 40)) continue;
    out.push({ type: 'UK_NHS', start: m.index, end: m.index + m[0].length });
  }
}

const SIN = /(?<![\w-])\d{3}([ -]?)\d{3}\1\d{3}(?!\w|-\d)/g;
const SIN_CUE = /(?:\bsin\b|social insurance|\bnas\b|assurance sociale)/i;

export function detectCaSin(text: string, out: Entity[]): void {
  SIN.lastIndex = 0;
  for (let m = SIN.exec(text); m !== null; m = SIN.exec(text)) {
    const d = digitsOf(m[0]);
    if (d[0] === '8' || !luhnValid(d) || !cueBefore(text, m.index, SIN_CUE, 40)) continue;
    out.push({ type: 'CA_SIN', start: m.index, end: m.index + m[0].length });
  }
}

const NIF = /(?<![\w-])[XYZ]?\d{7,8}-?[A-Z](?![\w-])/g; // upper case only: "10000000s" is a duration

export function detectEsNif(text: string, out: Entity[]): void {
  NIF.lastIndex = 0;
  for (let m = NIF.exec(text); m !== null; m = NIF.exec(text)) {
    if (!nifValid(m[0].replace('-', ''))) continue;
    out.push({ type: 'ES_NIF', start: m.index, end: m.index + m[0].length });
  }
}

const CPF = /(?<![\w.-])\d{3}(\.?)\d{3}\1\d{3}-?\d{2}(?![\w]|[.-]\d)/g;
const CPF_CUE = /\bcpf\b/i;

export function detectBrCpf(text: string, out: Entity[]): void {
  CPF.lastIndex = 0;
  for (let m = CPF.exec(text); m !== null; m = CPF.exec(text)) {
    if (!cpfValid(digitsOf(m[0]))) continue;
    // The dotted print form 000.000.000-00 is distinctive; eleven bare digits need the word.
    if (m[1] !== '.' && !cueBefore(text, m.index, CPF_CUE, 40)) continue;
    out.push({ type: 'BR_CPF', start: m.index, end: m.index + m[0].length });
  }
}

// Aadhaar: 12 digits, never starting with 0 or 1, Verhoeff check digit; 12-digit numbers are
// common enough that the word must be there too.
const AADHAAR = /(?<![\w-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?!\w|-\d)/g;
const AADHAAR_CUE = /(?:aadhaa?r|\buid(?:ai)?\b|\bआधार)/i;

export function detectInAadhaar(text: string, out: Entity[]): void {
  AADHAAR.lastIndex = 0;
  for (let m = AADHAAR.exec(text); m !== null; m = AADHAAR.exec(text)) {
    if (!verhoeffValid(digitsOf(m[0])) || !cueBefore(text, m.index, AADHAAR_CUE, 40)) continue;
    out.push({ type: 'IN_AADHAAR', start: m.index, end: m.index + m[0].length });
  }
}
