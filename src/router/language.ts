/**
 * The request's language, guessed from its dominant script: enough to keep a Chinese prompt away
 * from a model that only knows English (issue 5's "language" filter), cheap enough for every
 * request (one pass over code points, no allocation per character, no model). Only scripts that
 * name one language the catalog uses are answered: Han → zh, Kana → ja, Hangul → ko, Cyrillic → ru,
 * Arabic → ar, Devanagari → hi. Latin names no language (English, French and Vietnamese share it),
 * so a Latin prompt is `undefined` and filters nothing.
 */
import type { ChatMessage } from '../core/types.js';

export type DetectedLanguage = 'zh' | 'ja' | 'ko' | 'ru' | 'ar' | 'hi';

/** Share of letters one script must hold; below it (mixed text, code with comments) nothing is detected. */
export const MAJORITY = 0.6;
/** Letters looked at, newest messages first: the current turn decides, and long pastes cost nothing more. */
const LETTER_BUDGET = 2000;
/** Japanese writes kanji between kana; Chinese never uses kana. Past this share of kana, Han text is Japanese. */
const KANA_FOR_JA = 0.1;

const enum S { Other, Latin, Han, Kana, Hangul, Cyrillic, Arabic, Devanagari }
const LETTER = /\p{L}/u;

/** Script of a code point, or -1 when it is no letter (digits, punctuation, spaces, emoji). */
function scriptOf(cp: number): S | -1 {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) ? S.Latin : -1;
  if (cp >= 0x4e00 && cp <= 0x9fff) return S.Han;
  if ((cp >= 0x3040 && cp <= 0x30ff && cp !== 0x30fb) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f)) return S.Kana;
  if ((cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f)) return S.Hangul;
  if (cp >= 0x0400 && cp <= 0x052f) return S.Cyrillic;
  if ((cp >= 0x0600 && cp <= 0x06ff) || (cp >= 0x0750 && cp <= 0x077f) || (cp >= 0x08a0 && cp <= 0x08ff) || (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff)) {
    // Arabic punctuation and digits live in the same block and are no letters.
    return (cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06f0 && cp <= 0x06f9) || cp === 0x060c || cp === 0x061b || cp === 0x061f ? -1 : S.Arabic;
  }
  if (cp >= 0x0900 && cp <= 0x097f) return (cp >= 0x0964 && cp <= 0x096f) ? -1 : S.Devanagari;
  if ((cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3134f)) return S.Han;
  if ((cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7) || (cp >= 0x1e00 && cp <= 0x1eff) || (cp >= 0xff21 && cp <= 0xff5a && (cp <= 0xff3a || cp >= 0xff41))) return S.Latin;
  // Greek, Hebrew, Thai…: letters of a script we name no language for; they count against a majority.
  return LETTER.test(String.fromCodePoint(cp)) ? S.Other : -1;
}

/** Letter counts per script of one text, adding to `counts`; returns the letters counted. */
function countScripts(text: string, counts: Uint32Array, budget: number): number {
  let seen = 0;
  for (let i = 0; i < text.length && seen < budget; i++) {
    const cp = text.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    const s = scriptOf(cp);
    if (s === -1) continue;
    counts[s]++;
    seen++;
  }
  return seen;
}

/** The dominant language of a text, when one script holds a clear majority of its letters. */
export function detectTextLanguage(text: string): DetectedLanguage | undefined {
  const counts = new Uint32Array(8);
  return decide(counts, countScripts(text, counts, LETTER_BUDGET));
}

function decide(c: Uint32Array, total: number): DetectedLanguage | undefined {
  if (total === 0) return undefined;
  const cjk = c[S.Han] + c[S.Kana];
  if (cjk / total > MAJORITY) return c[S.Kana] / cjk > KANA_FOR_JA ? 'ja' : 'zh';
  if (c[S.Hangul] / total > MAJORITY) return 'ko';
  if (c[S.Cyrillic] / total > MAJORITY) return 'ru';
  if (c[S.Arabic] / total > MAJORITY) return 'ar';
  if (c[S.Devanagari] / total > MAJORITY) return 'hi';
  return undefined;
}

function textOf(m: ChatMessage): string {
  const c = m.content;
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  let out = '';
  for (const p of c) if (p.type === 'text' && typeof p.text === 'string') out += `${p.text}\n`;
  return out;
}

/**
 * The language of what the user (and the tools acting for them) wrote. System and developer text
 * is the operator's (often English whatever the user speaks); the assistant's follows the user.
 */
export function detectLanguage(messages: readonly ChatMessage[]): DetectedLanguage | undefined {
  const counts = new Uint32Array(8);
  let total = 0;
  for (let i = messages.length - 1; i >= 0 && total < LETTER_BUDGET; i--) {
    const m = messages[i];
    if (m.role !== 'user' && m.role !== 'tool') continue;
    total += countScripts(textOf(m), counts, LETTER_BUDGET - total);
  }
  return decide(counts, total);
}
