/**
 * Phone numbers in international (+CC, 00CC, E.164) and national formats with separators.
 *
 * A candidate is a run of digit groups with single separators. Unambiguous shapes (a leading
 * '+', a North American 3-3-4 with dashes/dots/parentheses, a parenthesised area code) count on
 * their own; any other grouping of 7-13 digits counts only next to a phone cue ("call me on",
 * "Fax:", "mobile"), which keeps years, prices, thousands and arithmetic out.
 */
import type { Entity } from './entity.js';
import { cueAfter, cueBefore, prevNonSpace } from './context.js';

// Groups of digits joined by one separator (space, dot, dash, slash) or a parenthesised trunk
// prefix like "+46 (0)8"; an optional extension. Each repetition must consume a separator, so
// backtracking is linear.
const CANDIDATE = /(?<![\w.+\-/])(?:\+\s?)?(?:\(\d{1,5}\)\s?)?\d+(?:(?:[ ./-]|\s?\(\d{1,4}\)\s?|\)\s?)\d+)*(?:\s?(?:x|ext\.?\s?|#)\d{1,6})?(?![\w/]|[.,-]\d)/g;

// Words that announce a phone number. "number" alone is weak (maths says it too): only "my
// number", "number is" count, and not for thousands-shaped digits.
const STRONG_CUE = /(?:phone|\btel\b|\btel\.|telephone|mobile|\bcell|\bfax|\bdesk\b|\bcall(?:ed|ing)?\b|\btext(?:ed)?\b|\bsms\b|whats ?app|\breach\b|\bcontact|\bdial|answering|messages? to|\bregistered\b|landline|hotline|\bring\b|\bext\b|\bph\b|\bmob\b|telefon|t[ée]l[ée]phone|handy|\bnum[ée]ro\b)/i;
const WEAK_CUE = /\b(?:(?:my|your|his|her|their|our|contact|home|work|direct|private|personal) number|number is)\s*:?\s*$/i;
const AFTER_CUE = /^\s*[-(]?\s*(?:office|fax|mobile|cell|home|work|desk|tel|phone)\b/i;

const NANP = /^(?:(?:\+?1|001)[ .-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[.-])\d{3}[.-]\d{4}(?:\s?(?:x|ext\.?\s?|#)\d{1,6})?$/;
const PAREN_AREA = /^\(\d{2,5}\)\s?\d{2,5}(?:[ .-]\d{2,5}){0,3}$/;
const DATE_LIKE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const THOUSANDS = /^\d{1,3}(?:([ .,])\d{3})(?:\1\d{3})*$/;

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

export function detectPhone(text: string, out: Entity[]): void {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    const raw = m[0];
    const start = m.index;
    const end = start + raw.length;
    const ext = /\s?(?:x|ext\.?\s?|#)\d{1,6}$/.exec(raw);
    const body = ext ? raw.slice(0, raw.length - ext[0].length) : raw;
    const digits = digitCount(body);
    if (digits < 7 || digits > 15) continue;
    if (DATE_LIKE.test(body)) continue;
    const before = text[start - 1] ?? '';
    if (before === '$' || before === '€' || before === '£' || before === '¥') continue;
    if (text[end] === '%') continue;

    const intl = body.startsWith('+') || /^00[1-9]/.test(body);
    if (intl && digits >= 8) {
      // "x = 3 +4471..." is arithmetic, not a number to dial.
      const p = prevNonSpace(text, start);
      if (!/[\d)=*/^]/.test(p)) {
        out.push({ type: 'PHONE', start, end });
        continue;
      }
    }
    if (NANP.test(raw) || (PAREN_AREA.test(body) && digits >= 7)) {
      out.push({ type: 'PHONE', start, end });
      continue;
    }
    if (digits > 13) continue;
    // A lone decimal point ("1234.5678") is a number, not a phone.
    if (/^\d+\.\d+$/.test(body)) continue;
    // "699 956 915" is also how 699,956,915 is printed in much of Europe: such shapes need the
    // cue right before them ("Call of Duty 2019 sold 12 000 000 copies" is a count).
    const thousands = THOUSANDS.test(body);
    const strong = cueBefore(text, start, STRONG_CUE, thousands ? 20 : 40) || cueAfter(text, end, AFTER_CUE, 12);
    if (strong || (cueBefore(text, start, WEAK_CUE, 12) && !thousands)) {
      out.push({ type: 'PHONE', start, end });
    }
  }
}
