/**
 * Payment cards (Luhn) and IBANs (ISO 13616 mod 97). The checksum is what makes these safe to
 * flag without context: a random 16-digit number passes Luhn one time in ten, and a random
 * IBAN-shaped string passes mod 97 about one time in a hundred, on top of the length table.
 */
import type { Entity } from './entity.js';
import { digitsOf, ibanValid, luhnValid } from './checksums.js';
import { cueBefore } from './context.js';

const CARD_CANDIDATE = /(?<![\w.\-])\d(?:[ -]?\d){11,18}(?!\w|[.,-]\d)/g;
const CARD_CUE = /(?:card|\bcc\b|visa|master ?card|amex|american express|discover|maestro|diners|jcb|\bpan\b|tarjeta|carte|karte)/i;

/**
 * Length by first digit (the major industry identifier): UATP cards starting with 1 have 15
 * digits, 2-series Mastercard 16 and old JCB 15, Amex/Diners/JCB 14-16, 13-digit cards are old
 * Visa. This keeps 13-digit millisecond timestamps (1.7e12) and 18-19 digit snowflake ids, which
 * pass Luhn one time in ten, from reading as cards in JSON and logs.
 */
function plausibleCardLength(digits: string): boolean {
  const n = digits.length;
  switch (digits[0]) {
    case '1': return n === 15;
    case '2': return n === 15 || n === 16;
    case '3': return n >= 14 && n <= 16;
    case '4': return n === 12 || n === 13 || n === 16 || n === 19;
    case '5': case '6': return n >= 12 && n !== 13;
    default: return false;
  }
}

export function detectCreditCard(text: string, out: Entity[]): void {
  CARD_CANDIDATE.lastIndex = 0;
  for (let m = CARD_CANDIDATE.exec(text); m !== null; m = CARD_CANDIDATE.exec(text)) {
    const raw = m[0];
    const digits = digitsOf(raw);
    // Cards are printed in groups of 4-6 digits; "1 2 3 ... 13" is a list, not a card.
    if (raw.length !== digits.length && raw.split(/[ -]/).some((g) => g.length < 3)) continue;
    if (!plausibleCardLength(digits)) continue;
    if (/^(\d)\1+$/.test(digits) || !luhnValid(digits)) continue;
    // 12-digit Maestro numbers collide with ordinary 12-digit numbers too often to stand alone.
    if (digits.length < 13 && !cueBefore(text, m.index, CARD_CUE, 40)) continue;
    out.push({ type: 'CREDIT_CARD', start: m.index, end: m.index + raw.length });
  }
}

// Lengths per country (SWIFT IBAN registry); a wrong length is rejected before the checksum.
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

const IBAN_START = /\b[A-Z]{2}\d{2} ?[A-Z0-9]/gi;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function detectIban(text: string, out: Entity[]): void {
  IBAN_START.lastIndex = 0;
  for (let m = IBAN_START.exec(text); m !== null; m = IBAN_START.exec(text)) {
    const start = m.index;
    const len = IBAN_LENGTH[text.slice(start, start + 2).toUpperCase()];
    if (len === undefined) continue;
    // Collect exactly `len` characters, allowing single spaces between print groups.
    let compact = '';
    let i = start;
    while (i < text.length && compact.length < len) {
      const c = text.charCodeAt(i);
      if (isAlnum(c)) compact += text[i];
      else if (c !== 32 || !isAlnum(text.charCodeAt(i + 1)) || compact.length < 4) break;
      i++;
    }
    if (compact.length !== len || (i < text.length && isAlnum(text.charCodeAt(i)))) continue;
    if (!ibanValid(compact)) continue;
    out.push({ type: 'IBAN', start, end: i });
    IBAN_START.lastIndex = i;
  }
}
