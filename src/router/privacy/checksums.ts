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
