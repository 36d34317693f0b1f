/** Check-digit algorithms: they turn "looks like a number" into "is a valid identifier". */

/** Luhn (ISO/IEC 7812), used by payment cards and Canadian SINs. `digits` holds only 0-9. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35, mod 97 = 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.toUpperCase();
  let rem = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt((k + 4) % s.length);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** UK NHS number: ten digits, weights 10..2 on the first nine, 11 - (sum mod 11) is the tenth. */
export function nhsValid(digits: string): boolean {
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === digits.charCodeAt(9) - 48;
}

/** Brazilian CPF: two mod-11 check digits; all-equal digits pass the arithmetic but are invalid. */
export function cpfValid(digits: string): boolean {
  if (digits.length !== 11 || /^(\d)\1{10}$/.test(digits)) return false;
  for (const len of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += (digits.charCodeAt(i) - 48) * (len + 1 - i);
    const check = ((sum * 10) % 11) % 10;
    if (check !== digits.charCodeAt(len) - 48) return false;
  }
  return true;
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI/NIE: the control letter is the number mod 23 looked up in a fixed table. */
export function nifValid(id: string): boolean {
  const s = id.toUpperCase();
  const m = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(s);
  if (!m) return false;
  const prefix = m[1] === 'X' ? '0' : m[1] === 'Y' ? '1' : m[1] === 'Z' ? '2' : '';
  const num = Number(prefix + m[2]);
  if (m[1] === '' && m[2].length !== 8) return false;
  return NIF_LETTERS[num % 23] === m[3];
}

/** Only the digits of `s`. */
export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

// Verhoeff dihedral-group tables (used by India's Aadhaar).
const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

export function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    c = VERHOEFF_D[c][VERHOEFF_P[i % 8][digits.charCodeAt(digits.length - 1 - i) - 48]];
  }
  return digits.length > 0 && c === 0;
}

/** Dutch BSN "11-proef": weights 9..2 on the first eight digits, -1 on the last, sum divisible by 11. */
export function bsnValid(digits: string): boolean {
  if (digits.length !== 9) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (digits.charCodeAt(i) - 48) * (9 - i);
  sum -= digits.charCodeAt(8) - 48;
  return sum !== 0 && sum % 11 === 0;
}

/** French NIR (numéro de sécurité sociale): 13 digits then a key = 97 - (number mod 97). */
export function nirValid(nir: string): boolean {
  const s = nir.toUpperCase();
  if (!/^[12]\d{4}(?:\d{2}|2A|2B)\d{8}$/.test(s)) return false;
  // Corsica's departments 2A/2B are replaced by 19/18 for the key (INSEE rule).
  const body = s.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const month = Number(s.slice(3, 5));
  if (month < 1 || (month > 12 && month < 20) || month > 42) return false;
  return 97 - Number(BigInt(body) % 97n) === Number(s.slice(13));
}

// Values of odd-position characters in the Italian codice fiscale check (digits share the letters' table).
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italian codice fiscale: 15 characters, then a check letter from odd/even position tables mod 26. */
export function codiceFiscaleValid(cf: string): boolean {
  const s = cf.toUpperCase();
  if (!/^[A-Z0-9]{15}[A-Z]$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = s.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? CF_ODD[v] : v;
  }
  return String.fromCharCode(65 + (sum % 26)) === s[15];
}
