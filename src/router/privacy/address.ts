/**
 * Street addresses: a house number with a street word ("221B Baker Street", "Rua Igreja 25",
 * "Villacher Strasse 89", "Puruntie 82" only after an address cue), unit and box lines
 * ("Apt. 5", "P.O. Box 149", "PSC 3294, Box 9168", "APO AE 44085"), "City, ST 12345", and the
 * rest of a line introduced by an address cue when it carries a number.
 */
import type { Entity } from './entity.js';

const WORD = String.raw`\p{Lu}[\p{L}\p{M}'’.-]*`;
const SUFFIX = String.raw`(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Way|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Route|Trail|Row|Walk|Mews|Grove|Gardens|Hill|Pass|Bridge|Harbou?r|Plaza|Alley|Expressway|Pike|Loop|Point|Ridge|Crossing|Estates?|Heights|Coves?|Courts|Squares|Rapids|Extensions?|Forges|Green|Station|Junction|Valley|View|Village)`;

// "1987 74 Diakou Street", "12B Main St.", "3744 Retreat Avenue"
const NUMBERED = new RegExp(String.raw`\b\d{1,6}[A-Za-z]?(?:[ \t]+\d{1,5})?[ \t]+(?:${WORD}[ \t]+){1,4}?${SUFFIX}\b\.?`, 'gu');
// Streets whose word comes first or is glued to the name, with the number after.
const PREFIXED = new RegExp(String.raw`\b(?:Rua|Rue|Via|Viale|Vicolo|Calle|Carrer|Avenida|Av\.|Piazza|Praça|Largo|Travessa|Strada|Str\.|ul\.|ulica|Chemin|Allée|Impasse|Quai|Boulevard de|Avenue de|Place de)[ \t]+(?:${WORD}[ \t]+){0,4}?\d{1,5}[a-zA-Z]?\b`, 'gu');
// Continental street names put the number after the street word, glued ("Villacherstrasse 89",
// "Puruntie 82") or separate ("Rákóczi út 13", "Wesselényi u. 94"). Scanning for every capital
// letter with Unicode classes is slow, so the scan looks for the number (ASCII, rarer) and then
// tests the words just before it. `\b` is ASCII-only in JS, hence the explicit letter classes.
const NUMBER_AFTER_WORD = /[ \t]\d{1,5}[a-zA-Z]?\b\.?/g;
const GLUED_STREET = /^\p{Lu}[\p{L}\p{M}-]*(?:straße|strasse|gasse|allee|platz|gade|vej|vænget|gata|gatan|vägen|katu|kuja|polku|vegur|braut|stræti|straeti|utca|laan|straat|plein|gracht|veien|weg)$/u;
const STREET_WORD = /^(?:Straße|Strasse|Gasse|Allee|Platz|Weg|utca|út|tér|körút|u\.|rkp\.|trg|cesta|ulica|gate|vej|gade|gata|katu)$/;
const NAME_WORD = /^\p{Lu}[\p{L}\p{M}-]*$/u;

/** Start of the street name that ends right before `end` ("Villacherstrasse", "Rákóczi út"), or -1. */
function streetStart(text: string, end: number): number {
  // Up to four whitespace-separated words before the number, nearest first.
  const words: Array<{ word: string; start: number }> = [];
  let i = end;
  while (words.length < 4 && i > 0 && end - i < 80) {
    let j = i;
    while (j > 0 && text[j - 1] !== ' ' && text[j - 1] !== '\t' && text[j - 1] !== '\n') j--;
    if (j === i) break;
    words.push({ word: text.slice(j, i), start: j });
    i = j;
    while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
    if (i > 0 && text[i - 1] === '\n') break;
  }
  if (words.length === 0) return -1;
  if (GLUED_STREET.test(words[0].word)) return words[0].start;
  if (!STREET_WORD.test(words[0].word)) return -1;
  let start = -1;
  for (let k = 1; k < words.length && NAME_WORD.test(words[k].word); k++) start = words[k].start;
  return start;
}
const UNIT = /\b(?:apt\.?|apartment|suite|ste\.)[ \t]*#?[ \t]*\d{1,5}[a-z]?\b/gi;
const BOX = /\b(?:p\.?[ \t]?o\.?[ \t]?box|post office box|(?:psc|unit|cmr)[ \t]+\d{3,5},?[ \t]+box)[ \t]+\d{1,6}\b|\b[adf]po[ \t]+a[aep][ \t]+\d{5}\b|\busns[ \t]+[a-z]{3,}/gi;
// Found from the ", ST 12345" end (ASCII, quick to scan for), then the city name is checked.
const STATE_ZIP = /,[ \t]*(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])[ \t]+\d{5}(?:-\d{4})?\b/g;
const CITY_BEFORE = /(?<![\p{L}\p{M}])\p{Lu}[\p{L}.' -]{1,30}$/u;
const CORNER = /\b[Tt]he corner of[ \t]+(?=\d|\p{Lu}|[^\n.?!]{0,40}\d)[^\n.?!]{3,60}/gu;
// After these cues the rest of the line is an address if it has a number in it.
const CUE = /\b(?:(?:my|home|billing|mailing|postal|shipping|delivery|street|new|his|her|their|our|your) address(?: is|:)?|address[ \t]*:|\bi live (?:at|on)|\b(?:he|she|they) lives? (?:at|on)|\bliving at|\bsend (?:it|them|this|the \w+) to|\bsent to|\bdeliver(?:ed)? to|\bship(?:ped)? to|\bmoved to|\bmeet me at|\breturn(?:ed)? to|\bpick me up (?:at|from)|\b(?:taxi|cab|drive me|take me) to|\b(?:is|are) (?:at|on)|\blocated (?:at|on|in)|\bsituated (?:at|on)|\bside of)[ \t]*\n?[ \t]*/gi;

function push(out: Entity[], start: number, end: number): void {
  out.push({ type: 'STREET_ADDRESS', start, end });
}

// "the 2003 Supreme Court case": a year after an article or preposition is not a house number.
const YEAR_AFTER_WORD = /(?:^|\s)(?:the|in|of|since|by|from|until|during|a|an)\s+$/i;

function isYearPhrase(text: string, m: RegExpExecArray): boolean {
  const year = /^(1[89]|20)\d\d\b/.exec(m[0]);
  return year !== null && YEAR_AFTER_WORD.test(text.slice(Math.max(0, m.index - 12), m.index));
}

function runAll(re: RegExp, text: string, out: Entity[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (isYearPhrase(text, m)) continue;
    let end = m.index + m[0].length;
    // Keep the dot of "St." but not the full stop after "Street".
    if (m[0].endsWith('.') && /[\p{L}]{4,}\.$/u.test(m[0])) end--;
    push(out, m.index, end);
  }
}

export function detectAddress(text: string, out: Entity[]): void {
  runAll(NUMBERED, text, out);
  runAll(PREFIXED, text, out);
  NUMBER_AFTER_WORD.lastIndex = 0;
  for (let m = NUMBER_AFTER_WORD.exec(text); m !== null; m = NUMBER_AFTER_WORD.exec(text)) {
    if (!/[\p{L}\p{M}.]/u.test(text[m.index - 1] ?? '')) continue;
    const start = streetStart(text, m.index);
    if (start !== -1) push(out, start, m.index + m[0].length);
  }
  runAll(UNIT, text, out);
  runAll(BOX, text, out);
  STATE_ZIP.lastIndex = 0;
  for (let m = STATE_ZIP.exec(text); m !== null; m = STATE_ZIP.exec(text)) {
    const city = CITY_BEFORE.exec(text.slice(Math.max(0, m.index - 31), m.index));
    if (city) push(out, m.index - city[0].length, m.index + m[0].length);
  }
  runAll(CORNER, text, out);
  CUE.lastIndex = 0;
  for (let m = CUE.exec(text); m !== null; m = CUE.exec(text)) {
    const at = m.index + m[0].length;
    let end = text.indexOf('\n', at);
    if (end === -1 || end - at > 120) end = Math.min(text.length, at + 120);
    const line = text.slice(at, end);
    // A house or postal number, near the start, and not a URL or e-mail.
    // It must start like an address (a number or a capitalised name: "returned to work" is not
    // one) and carry a house or postal number that is not money.
    const num = /(?<![$€£\d,.])\d/.exec(line);
    if (num === null || num.index > 30 || !/^[\d\p{Lu}]/u.test(line) || line.includes('@') || /https?:/.test(line)) continue;
    const stop = /[?!]|\.(?:\s|$)/.exec(line);
    const stopAt = stop ? Math.max(stop.index, num.index + 1) : line.length;
    // ...and a capitalised street or place name: "is at 30 metres" is a distance.
    if (!/\p{Lu}[\p{Ll}\p{M}]+/u.test(line.slice(0, stopAt))) continue;
    push(out, at, at + stopAt);
  }
}
