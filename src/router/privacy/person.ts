/**
 * Person names, only in context. A capitalised pair of words is as often "Immanuel Kant" in an
 * exam question as a customer, so a name counts only after a cue that introduces a person the
 * request is about: "my name is", a "Name:" label, "Dear", a title with a full name, "patient",
 * "my wife", a signature after "Regards,".
 */
import type { Entity } from './entity.js';

// One capitalised name token ("Szöllösy", "O'Neil", "Jean-Luc", "McPherson") or an initial ("J.").
const TOKEN = String.raw`(?:\p{Lu}[\p{Ll}\p{M}'’-]+(?:-\p{Lu}[\p{Ll}\p{M}'’-]+)?|\p{Lu}\.?(?=[ \t]+\p{Lu}))`;
const PARTICLE = String.raw`(?:(?:van|von|de|der|den|da|di|del|la|le|du|bin|al|ten|ter|dos|das)[ \t]+)?`;
/** Sticky: one to four capitalised tokens starting exactly at lastIndex. */
const NAME = new RegExp(String.raw`${TOKEN}(?:[ \t]+${PARTICLE}${TOKEN}){0,3}`, 'uy');
/** Sticky: any single word (for "my name is rubija", written in lower case). */
const WORD = /[\p{L}\p{M}][\p{L}\p{M}'’-]+/uy;

// Capitalised words that follow our cues without being names ("I'm Sorry", "Dear Sir", "Hi All").
const STOP = new Set(`the a an this that these those it i we you he she they my our your his her their me us them
sorry not just here there happy good fine glad so very going looking writing calling interested trying also and but or
if in on at to for from with of as by please thanks thank yes no ok okay hello hi hey dear all everyone world team
sir madam scenario statement customer support admin user assistant system bot sure well now today still currently unable able new
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september
october november december is was be been being am are will would can could should have has had do does did what who
where when why how which one someone somebody anyone nobody none unknown n/a na null undefined same above below
following`.split(/\s+/));

export function isStop(word: string): boolean {
  return STOP.has(word.toLowerCase().replace(/[.,'’]+$/, ''));
}

type Mode = 'name' | 'any' | 'line' | 'full' | 'title';
interface Cue { re: RegExp; mode: Mode }

// Modes: 'name' = capitalised name after the cue; 'any' = a name, or one lower-case word when the
// cue leaves no doubt ("my name is"); 'line' = the rest of a labelled line; 'full' = a capitalised
// name of at least two tokens (greetings alone are too common in word problems); 'title' = a full
// name, or a surname with a personal detail in the same sentence ("Mr. Baader is a 21 year old
// man"): "Mrs. Smith's class has 30 students" in a word problem is nobody's personal data.
const CUES: Cue[] = [
  { re: /\b(?:my (?:full |first |last )?name is|my name's|name on the (?:account|card) is|account holder is|my name appears as)\s*:?\s*/gi, mode: 'any' },
  // Capitalised only: "call me tomorrow" and "it's under review" name nobody.
  { re: /\b(?:i am called|i'm called|i’m called|people call me|everyone calls me|call me|it's under|under my name)[ \t]+/gi, mode: 'name' },
  { re: /(?:^|\n)[ \t>?*-]*(?:(?:full |first |last |patient |customer |account |client |contact |legal |maiden )?name|patient|client|cardholder|card holder|account holder|beneficiary|recipient|attn|attention|from|signed|insured|policyholder|guardian|next of kin|emergency contact)[ \t]*:[ \t]*/gi, mode: 'line' },
  { re: /\bwhat(?:'s| is) (?:your|the) (?:full |first |last |middle |maiden )?name(?: on the (?:account|card|booking|reservation))?\?\s*(?:(?:user|customer|client|me)\s*:\s*)?/gi, mode: 'any' },
  // Addressing someone at the start of a line: "Aloisia, can I please speak to your boss?"
  { re: /(?:^|\n)[ \t]*(?=\p{Lu}[\p{Ll}\p{M}'’-]+,[ \t]+(?:can|could|would|will|please|do|did|are|have)[ \t]+(?:I|you|we)\b)/gu, mode: 'name' },
  { re: /\b(?:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening))[ \t]+/gi, mode: 'full' },
  { re: /\b(?:i'm|i’m|i am|this is|it's|it is)[ \t]+/gi, mode: 'full' },
  { re: /\b(?:mr|mrs|ms|mx|miss|dr|prof|mme|mlle|herr|frau|sr|sra|srta)\b\.?[ \t]+/gi, mode: 'title' },
  // Lower-case "patient" only: "Patient Self-Determination Act" is a law, not a patient.
  { re: /\bpatient(?: name)?(?: is|,)?[ \t]+/g, mode: 'name' },
  // A relative or contact with a full name; a first name alone ("my daughter Keyla") is too weak.
  { re: /\b[Mm]y (?:wife|husband|son|daughter|mother|father|mom|mum|dad|brother|sister|friend|colleague|co-?worker|boss|manager|neighbou?r|partner|boyfriend|girlfriend|fianc[ée]e?|cousin|uncle|aunt|grand(?:mother|father|ma|pa|son|daughter)|child|kid|nephew|niece|doctor|therapist|lawyer|landlord|landlady|roommate|flatmate|ex|spouse|teacher|student|patient|client|tenant|employee)(?:'s name is| named| called| is|,)?[ \t]+/g, mode: 'full' },
  { re: /\b(?:follow up with|meeting with|meet with|speak to|speak with|talk to|forward (?:this |it )?to|cc|contact|remind|introduce(?: you to)?|assign(?:ed)? to)[ \t]+/gi, mode: 'full' },
  { re: /(?:^|\n)[ \t]*(?:best|kind|warm|warmest)? ?(?:regards|wishes|sincerely|thanks|thank you|cheers|best|yours(?: truly| sincerely| faithfully)?|respectfully)[ \t]*,?[ \t]*\r?\n[ \t]*/gi, mode: 'name' },
];

const PERSONAL_DETAIL = /(?:\b\d{1,3}[ -]years?[ -]old\b|\baged? \d|\bborn\b|\bgrew up\b|\blives? (?:in|at|on)\b|\baddress\b|\bphone\b|e-?mail|\baccount\b|\bdiagnos|\bpatient\b|\b(?:flew|flies|flying|travell?ed|moved) to\b|\b[Mm]y\b|\bme\b|\bI\b(?=['’]| [a-z]))/;

/** A personal detail in the sentence around `at` (up to 120 characters each side). */
function personalDetailNear(text: string, at: number): boolean {
  const from = Math.max(0, at - 120);
  const before = text.slice(from, at);
  const cut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('\n'), before.lastIndexOf('? '));
  const after = text.slice(at, at + 120);
  const stop = after.search(/[.?!](?:\s|$)|\n/);
  return PERSONAL_DETAIL.test(before.slice(cut + 1) + ' ' + (stop === -1 ? after : after.slice(0, stop)));
}

/** Offset just past the n-th whitespace-separated token of `s`. */
function tokenEnd(s: string, n: number): number {
  const re = /\S+/g;
  let end = 0;
  for (let i = 0; i < n; i++) {
    const m = re.exec(s);
    if (!m) break;
    end = m.index + m[0].length;
  }
  return end;
}

function matchNameAt(text: string, at: number, mode: Mode): { start: number; end: number } | null {
  if (mode === 'line') {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    if (end - at > 80) end = at + 80;
    while (end > at && /[\s.,;]/.test(text[end - 1])) end--;
    const value = text.slice(at, end);
    const first = value.split(/[ \t]+/)[0] ?? '';
    if (!/\p{L}/u.test(value) || /\d{3}/.test(value) || value.includes('@') || isStop(first)) return null;
    return { start: at, end };
  }
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  if (m) {
    const tokens = m[0].split(/[ \t]+/);
    if (isStop(tokens[0])) return null;
    // Drop trailing tokens that are ordinary words ("Dear John Thanks") and count real ones.
    let n = tokens.length;
    while (n > 1 && isStop(tokens[n - 1])) n--;
    const real = tokens.slice(0, n).filter((t) => !/^\p{Lu}\.?$/u.test(t)).length;
    if (mode === 'full' && real < 2) return null;
    if (mode === 'title' && real < 2 && !personalDetailNear(text, at)) return null;
    const end = at + tokenEnd(m[0], n);
    return end - at > 1 ? { start: at, end } : null;
  }
  if (mode !== 'any') return null;
  WORD.lastIndex = at;
  const w = WORD.exec(text);
  if (!w || isStop(w[0])) return null;
  return { start: at, end: at + w[0].length };
}

export function detectPerson(text: string, out: Entity[]): void {
  for (const cue of CUES) {
    cue.re.lastIndex = 0;
    for (let m = cue.re.exec(text); m !== null; m = cue.re.exec(text)) {
      const at = m.index + m[0].length;
      const found = matchNameAt(text, at, cue.mode);
      if (found) {
        out.push({ type: 'PERSON', start: found.start, end: found.end });
        cue.re.lastIndex = Math.max(cue.re.lastIndex, found.end);
      } else if (m[0].length === 0) {
        cue.re.lastIndex++;
      }
    }
  }
}
