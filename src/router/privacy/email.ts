/**
 * E-mail addresses. Found by walking out from each '@' instead of one big regex: a regex like
 * `[\w.]+@` retried at every start position is quadratic on long runs of word characters.
 */
import type { Entity } from './entity.js';

function isLocalChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39; // . _ % + - '
}

function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

export function detectEmail(text: string, out: Entity[]): void {
  let at = text.indexOf('@');
  let floor = 0; // never walk left past the end of the previous finding
  while (at !== -1) {
    let s = at;
    while (s > floor && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++; // a local part does not start with '.'
    let e = at + 1;
    while (e < text.length && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--; // trailing "." ends a sentence
    if (s < at && e > at + 1) {
      const domain = text.slice(at + 1, e);
      const dot = domain.lastIndexOf('.');
      const tld = dot > 0 ? domain.slice(dot + 1) : '';
      // A TLD of two or more letters separates addresses from `user@host` or decorators like `@types/node`.
      if (tld.length >= 2 && isAlpha(tld.charCodeAt(0)) && /^[A-Za-z]{2,24}$/.test(tld) && !domain.includes('..')) {
        out.push({ type: 'EMAIL', start: s, end: e });
        floor = e;
      }
    }
    at = text.indexOf('@', Math.max(at + 1, e));
  }
}
